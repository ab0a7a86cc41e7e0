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
_STATEMENTS: dict[tuple[str, str, str | None], Insert] = {}


def _statement(dialect: str, table: Table, returning: str | None = None) -> Insert:
    key = (dialect, table.name, returning)
    statement = _STATEMENTS.get(key)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(table).on_conflict_do_nothing()
        if returning is not None:
            statement = statement.returning(table.c[returning])
        _STATEMENTS[key] = statement
    return statement


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


async def insert_ignoring_conflict(
    session: AsyncSession, model: type[Base], values: dict[str, Any]
) -> bool:
    """Insert one row unless it collides with a unique key; True if it was inserted.

    Used where "already there" is the expected, harmless case (a redelivered
    activity, a replayed signature): no exception, no aborted transaction.
    """
    result = await session.execute(_statement(_dialect(session), table_of(model)), values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_new(
    session: AsyncSession, model: type[Base], rows: list[dict[str, Any]], key: str
) -> set[Any]:
    """Insert the rows that do not collide with a unique key (a few multi-row
    statements, whatever their number); the ``key`` column's values of those inserted."""
    if not rows:
        return set()
    statement = _statement(_dialect(session), table_of(model), returning=key)
    return set(await session.scalars(statement, rows))
