"""SQLite: writes and reads run their calls on the event loop's thread, long reads not.

Statements are short and never wait for this process, so they run inline (aiosqlite's
thread hand-off cost more than the work); reads that may take long (search, metrics)
keep aiosqlite's threads, so that they do not hold the loop. A write transaction of
another process is waited for, and nothing is lost.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from node.db.engine import Database

pytestmark = pytest.mark.sqlite_only


async def statement_thread(session: AsyncSession) -> int:
    """The thread that ran a statement of ``session``."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.create_function("statement_thread", 0, threading.get_ident)
    return int((await session.execute(text("SELECT statement_thread()"))).scalar_one())


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'node.sqlite'}")
    async with database.write() as session:
        await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield database
    await database.close()


async def test_writes_and_reads_run_on_the_loop_thread_long_reads_do_not(db: Database) -> None:
    loop_thread = threading.get_ident()
    async with db.write() as session:
        assert await statement_thread(session) == loop_thread
    async with db.read() as session:
        assert await statement_thread(session) == loop_thread
    async with db.read_long() as session:
        assert await statement_thread(session) != loop_thread


async def test_a_failed_write_rolls_back_and_the_writer_goes_on(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            await session.execute(text("INSERT INTO notes (id, body) VALUES (1, 'kept?')"))
            await session.execute(text("INSERT INTO notes (id, body) VALUES (1, 'clash')"))
    async with db.write() as session:
        await session.execute(text("INSERT INTO notes (id, body) VALUES (1, 'after')"))
    async with db.read() as session:
        rows = (await session.execute(text("SELECT id, body FROM notes"))).all()
    assert [tuple(row) for row in rows] == [(1, "after")]


async def test_another_process_holding_the_write_lock_is_waited_for(
    db: Database, tmp_path: Path
) -> None:
    # A `curbside` command beside the node: another connection, its own transaction.
    other = sqlite3.connect(tmp_path / "node.sqlite", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (body) VALUES ('from the command')")
    released = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    released.start()
    started = time.perf_counter()
    try:
        async with db.write() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('from the node')"))
    finally:
        released.join()
        other.close()
    assert time.perf_counter() - started >= 0.4, "it waited for the lock"
    async with db.read() as session:
        bodies = (await session.scalars(text("SELECT body FROM notes ORDER BY id"))).all()
    assert bodies == ["from the command", "from the node"]
