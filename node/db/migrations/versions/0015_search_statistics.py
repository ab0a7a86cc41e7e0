"""search (PostgreSQL): finer statistics on the tsvector columns

The planner estimates how many rows a text search matches from the most common
lexemes ANALYZE records for the column: with the default target (100) it keeps about
a thousand of them, and takes any other word for a fairly common one (4,600 of
1,000,000 replies for a word in 920). For a search that wants the newest matches it
then walks the table backwards from the newest row rather than asking the GIN index,
and for a rare word it reads every row (about 0.4 s at 1,000,000 replies; 12 ms
through the index). Target 1000 keeps ten times as many lexemes, so a word outside
them is estimated as rare. ANALYZE then reads 300,000 sample rows per table instead
of 30,000 (seconds at that size).

SQLite's FTS5 tables have no planner statistics; nothing changes there.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("search_cases", "search_replies")
TARGET = 1000


def _set_target(target: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN document SET STATISTICS {target}")
        # Statistics change at the next ANALYZE; autovacuum may be hours away.
        op.execute(f"ANALYZE {table}")


def upgrade() -> None:
    _set_target(TARGET)


def downgrade() -> None:
    _set_target(-1)  # back to default_statistics_target
