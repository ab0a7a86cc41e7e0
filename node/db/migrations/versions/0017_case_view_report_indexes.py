"""cases: one flag and a partial index for the view reporter

Every ``view_report_seconds`` (60 s by default) the view reporter asks for the local
cases with views to announce (``views_dirty``) and the remote cases whose local view
count has not been reported yet (``local_view_count != reported_view_count``).
Neither condition had an index, so each round read every case inside a write
transaction: 65 ms with the table in the page cache and over a second cold at
100,000 cases, during which the node's one writer (and, on SQLite, its event loop)
waited.

``views_dirty`` now means "views changed and nobody has been told" on every node (a
view sets it; the reporter clears it once it has announced or reported), so both
questions are answered from one partial index over the dirty cases. Remote cases
with views not reported yet are marked here. The counters themselves stay out of
every index condition: on PostgreSQL an update that changes a column an index
refers to (its condition included) must update every index of the table, and a view
is such an update only when it sets the flag.

The index condition is written as the queries write it (SQLite uses a partial index
only when the query repeats its condition). Plain CREATE INDEX, no batch mode: a
batch table rebuild would drop the triggers on ``cases`` (0008, 0013).

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


def upgrade() -> None:
    cases = sa.table(
        "cases",
        sa.column("is_local", sa.Boolean),
        sa.column("views_dirty", sa.Boolean),
        sa.column("local_view_count", sa.Integer),
        sa.column("reported_view_count", sa.Integer),
    )
    op.execute(
        cases.update()
        .where(
            cases.c.is_local.is_(sa.false()),
            cases.c.local_view_count != cases.c.reported_view_count,
        )
        .values(views_dirty=True)
    )
    op.create_index(
        "ix_cases_views_dirty", "cases", ["id"], sqlite_where=DIRTY, postgresql_where=DIRTY
    )


def downgrade() -> None:
    op.drop_index("ix_cases_views_dirty", table_name="cases")
    # The flag on remote cases is left as it is: the earlier version ignores it there.
