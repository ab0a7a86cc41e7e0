"""INSERT ... ON CONFLICT DO NOTHING on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_ignoring_conflict(
    session: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any]
) -> bool:
    """Insert one row unless it collides with a unique key; True if it was inserted.

    Used where "already there" is the expected, harmless case (a redelivered
    activity, a replayed signature): no exception, no aborted transaction.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]
