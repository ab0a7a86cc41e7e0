"""cases: partial indexes for the view reporter's two queries

Every ``view_report_seconds`` (60 s by default) the view reporter asks for the local
cases with views to announce (``views_dirty``) and the remote cases whose local view
count has not been reported yet (``local_view_count != reported_view_count``). Neither
condition had an index, so each round read every case inside a write transaction:
65 ms with the table in the page cache and over a second cold at 100,000 cases, during
which the node's one writer (and, on SQLite, its event loop) waited. Both conditions
hold for few rows at a time, so a partial index on each makes the round a few
index entries.

The index conditions are written as the queries write them (SQLite uses a partial
index only when the query repeats its condition). Plain CREATE INDEX, no batch mode:
a batch table rebuild would drop the triggers on ``cases`` (0008, 0013).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIRTY = sa.column("views_dirty").is_(sa.true())
UNREPORTED = sa.column("local_view_count") != sa.column("reported_view_count")


def upgrade() -> None:
    op.create_index(
        "ix_cases_views_dirty", "cases", ["id"], sqlite_where=DIRTY, postgresql_where=DIRTY
    )
    op.create_index(
        "ix_cases_views_unreported",
        "cases",
        ["id"],
        sqlite_where=UNREPORTED,
        postgresql_where=UNREPORTED,
    )


def downgrade() -> None:
    op.drop_index("ix_cases_views_unreported", table_name="cases")
    op.drop_index("ix_cases_views_dirty", table_name="cases")
