"""attachments: image fetches retried on a schedule

A node copies the images of other nodes' cases from their origin. The fetcher tried
each missing image every 5 s and gave up after 8 failures: an origin that was down
for 40 s when a case arrived left its images missing on that node for good. Now a
failed fetch waits 30 s, then twice as long each time up to 6 hours, for 16 attempts
(about two days): ``next_fetch_at``. Images the old schedule gave up on (8
attempts) are due at once and get the rest of the new one.

The fetcher's partial index leaves out the images it gave up on, which it used to
read every 5 s: ``ix_attachments_unfetched`` becomes ``ix_attachments_to_fetch``.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import node.db.types

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFETCHED = sa.column("fetched_at").is_(None)
# Frozen here: the literal of node/cases/models.py at this revision.
TO_FETCH = sa.and_(UNFETCHED, sa.column("fetch_attempts") < sa.literal_column("16"))


def upgrade() -> None:
    # Plain ADD COLUMN, no batch mode: a table rebuild on SQLite is not needed for a
    # nullable column, and attachments has no triggers to lose either way.
    op.add_column(
        "attachments",
        sa.Column("next_fetch_at", node.db.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.drop_index("ix_attachments_unfetched", table_name="attachments")
    op.create_index(
        "ix_attachments_to_fetch",
        "attachments",
        ["id"],
        sqlite_where=TO_FETCH,
        postgresql_where=TO_FETCH,
    )


def downgrade() -> None:
    op.drop_index("ix_attachments_to_fetch", table_name="attachments")
    op.create_index(
        "ix_attachments_unfetched",
        "attachments",
        ["id"],
        sqlite_where=UNFETCHED,
        postgresql_where=UNFETCHED,
    )
    op.drop_column("attachments", "next_fetch_at")
