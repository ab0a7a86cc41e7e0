"""members: the announcement index holds only members whose status peers may learn

``ix_members_announcement_due`` held every member whose status peers had not been
told, pending and rejected members included: they are never announced, so they stayed
in it for good, and the status announcer (every few seconds) read past all of them;
every sign-up added one. The index now names the announced statuses.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-28 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_TOLD = sa.or_(
    sa.column("federated_status").is_(None), sa.column("federated_status") != sa.column("status")
)
# Frozen here: the literal of node/members/models.py at this revision.
DUE = sa.and_(
    sa.literal_column("status IN ('revoked', 'suspended', 'verified')", sa.Boolean), _NOT_TOLD
)


def _index(where: sa.ColumnElement[bool]) -> None:
    op.drop_index("ix_members_announcement_due", table_name="members")
    op.create_index(
        "ix_members_announcement_due",
        "members",
        ["id"],
        sqlite_where=where,
        postgresql_where=where,
    )


def upgrade() -> None:
    _index(DUE)


def downgrade() -> None:
    _index(_NOT_TOLD)
