"""cases: feed indexes for the country and language filters

``GET /api/v1/cases?country=XX`` (and ``language=``, and the feed page's filters)
walked the newest-first index and tested every case: a page for a country with few
cases read most of the table (166 ms at 100,000 cases; a node that has just joined
the network is such a country). Each filter now has an index per order of the feed,
in the order's columns and directions after the filtered column: newest first
(``created_at DESC, id DESC``) and open first or one status (``status, created_at
DESC, id DESC``). Partial over live cases, as ``ix_cases_feed`` (0014).

Plain CREATE INDEX, no batch mode: a batch table rebuild would drop the triggers on
``cases`` (0008, 0013).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
NEWEST: list[str | sa.ColumnElement[str]] = [
    sa.literal_column("created_at DESC"),
    sa.literal_column("id DESC"),
]
FILTERED = ("author_country", "language")


def upgrade() -> None:
    for column in FILTERED:
        orders: dict[str, list[str | sa.ColumnElement[str]]] = {
            "newest": [column, *NEWEST],
            "feed": [column, "status", *NEWEST],
        }
        for name, columns in orders.items():
            op.create_index(
                f"ix_cases_{column}_{name}",
                "cases",
                columns,
                sqlite_where=LIVE,
                postgresql_where=LIVE,
            )


def downgrade() -> None:
    for column in reversed(FILTERED):
        for name in ("feed", "newest"):
            op.drop_index(f"ix_cases_{column}_{name}", table_name="cases")
