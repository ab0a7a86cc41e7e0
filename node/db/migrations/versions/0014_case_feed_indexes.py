"""cases: feed indexes that match the feed's ORDER BY, id tie-break included

``GET /api/v1/cases`` without filters ordered by ``created_at DESC, id DESC`` with no
index to read that order from: every live case was read and sorted (about 1 s at
100,000 cases). The "open first" order (``status, created_at DESC, id DESC``) used
``ix_cases_feed`` but sorted again for the descending columns and the ``id``
tie-break. Both indexes now store the columns in the query's order and directions.
``ix_cases_feed`` becomes partial (live cases only) instead of leading with
``deleted_at``: PostgreSQL does not treat ``deleted_at IS NULL`` as fixing that
column, so it could not read the open-first order from the old column list at all.

Plain CREATE/DROP INDEX, no batch mode: on SQLite a batch table rebuild would drop
the full-text (0008) and metrics (0013) triggers on ``cases``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 20:22:22.158459
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_cases_feed", table_name="cases")
    op.create_index(
        "ix_cases_feed",
        "cases",
        ["status", sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_cases_newest",
        "cases",
        [sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
    )


def downgrade() -> None:
    op.drop_index("ix_cases_newest", table_name="cases")
    op.drop_index("ix_cases_feed", table_name="cases")
    op.create_index("ix_cases_feed", "cases", ["deleted_at", "status", "created_at"])
