"""The database handle a node holds: read and write sessions on SQLite or PostgreSQL.

SQLite allows one writer at a time. Rather than let concurrent writers collide and
fail with "database is locked" (a deferred transaction cannot always upgrade to a
write lock), writes go through a one-connection engine that opens every transaction
with ``BEGIN IMMEDIATE``; reads use a separate pool and see WAL snapshots, so they
never wait for a writer. Both run their calls on the event loop's thread
(inline_sqlite.py), except reads that may take long (``read_long``). On PostgreSQL
all are the same pooled engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from node.db.inline_sqlite import inline_creator

SQLITE_BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened. The message carries no password."""


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int, inline: bool) -> AsyncEngine:
    options: dict[str, Any] = {}
    path = make_url(url).database
    if inline and path and path != ":memory:":
        # Calls run on the loop's thread (see inline_sqlite.py).
        options["async_creator"] = inline_creator(path)
    engine = _create_async_engine(
        url, pool_size=pool_size, max_overflow=0, pool_timeout=60, **options
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that "begin" below decides
        # how each transaction starts (the driver would otherwise begin lazily).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# Connections for long reads on SQLite (see Database.read_long).
LONG_READERS = 4


def create_engines(
    url: str, *, pool_size: int = 10
) -> tuple[AsyncEngine, AsyncEngine, AsyncEngine]:
    """(reader, writer, long reader) engines for ``url``; one object thrice on PostgreSQL."""
    if url.startswith("sqlite"):
        writer = _sqlite_engine(url, immediate=True, pool_size=1, inline=True)
        reader = _sqlite_engine(url, immediate=False, pool_size=pool_size, inline=True)
        long_reader = _sqlite_engine(url, immediate=False, pool_size=LONG_READERS, inline=False)
        return reader, writer, long_reader
    engine = _create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"timeout": CONNECT_TIMEOUT_S},
    )
    return engine, engine, engine


class Database:
    """Sessions for one node's database. One per node; closed when the node stops."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self._reader, self._writer, self._long_reader = create_engines(url, pool_size=pool_size)
        self._read_sessions = async_sessionmaker(self._reader, expire_on_commit=False)
        self._long_read_sessions = async_sessionmaker(self._long_reader, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(self._writer, expire_on_commit=False)
        # Called with the session after each committed write (the node hands the
        # domain events recorded on it to its event bus).
        self.after_commit: Callable[[AsyncSession], None] | None = None

    @property
    def dialect(self) -> str:
        return self._writer.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries; whatever it changes is rolled back."""
        async with self._read_sessions() as session:
            yield session

    @asynccontextmanager
    async def read_long(self) -> AsyncIterator[AsyncSession]:
        """A session for queries that may take long (full-text search, metrics over
        the whole database). On SQLite, ``read()`` runs its calls on the event loop's
        thread, which is cheapest for the short queries of a page; these run on
        aiosqlite's threads instead, so that the loop serves others meanwhile."""
        async with self._long_read_sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed when the block ends, rolled back if it raises.

        Never open a second write() inside one: on SQLite there is one writer.
        """
        async with self._write_sessions() as session:
            async with session.begin():
                yield session
            if self.after_commit is not None:
                self.after_commit(session)

    @asynccontextmanager
    async def write_connection(self) -> AsyncIterator[AsyncConnection]:
        """A raw connection in a transaction (migrations, bulk loads)."""
        async with self._writer.begin() as connection:
            yield connection

    @property
    def display_url(self) -> str:
        """The URL with any password masked, for messages and logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    async def ping(self) -> None:
        """Raise DatabaseUnavailable with a one-line reason unless a query succeeds."""
        try:
            async with self.read() as session:
                await session.execute(text("SELECT 1"))
        except (OSError, TimeoutError, DBAPIError) as error:
            reason = getattr(error, "orig", None) or error
            raise DatabaseUnavailable(
                f"cannot reach the database {self.display_url}: {_one_line(reason)}"
            ) from None

    async def close(self) -> None:
        await self._writer.dispose()
        if self._reader is not self._writer:
            await self._reader.dispose()
            await self._long_reader.dispose()


def _one_line(error: BaseException) -> str:
    text_ = str(error).strip().splitlines()
    return text_[0] if text_ else type(error).__name__
