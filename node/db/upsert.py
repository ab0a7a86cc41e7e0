"""INSERT ... ON CONFLICT DO NOTHING on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from node.db.base import Base, table_of

# One statement per (dialect, table), built once: the values are bound parameters, so
# the compiled form is cached too. Building an ORM insert with the values inlined on
# every call cost more than running it (a first look at a case runs one).
_STATEMENTS: dict[tuple[str, str], Insert] = {}


def _statement(dialect: str, table: Table) -> Insert:
    key = (dialect, table.name)
    statement = _STATEMENTS.get(key)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = _STATEMENTS[key] = insert(table).on_conflict_do_nothing()
    return statement


async def insert_ignoring_conflict(
    session: AsyncSession, model: type[Base], values: dict[str, Any]
) -> bool:
    """Insert one row unless it collides with a unique key; True if it was inserted.

    Used where "already there" is the expected, harmless case (a redelivered
    activity, a replayed signature): no exception, no aborted transaction.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    result = await session.execute(_statement(dialect, table_of(model)), values)
    return bool(result.rowcount)  # type: ignore[attr-defined]
