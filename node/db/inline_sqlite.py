"""SQLite connections that run their calls on the event loop's own thread.

aiosqlite runs every call (a cursor, an execute, a fetch, a commit) on a thread of its
own and hands the result back through the event loop: two thread switches and a
loop wake-up per call, about 0.3 ms on a busy 2-core machine. A write transaction
makes a dozen calls and a case page several dozen, while the statements themselves
take microseconds (WAL mode: readers never wait; the node's one writer never waits
for another connection of this process). So the writer and the readers run their
calls inline, where they cost what they cost; reads that may take long (full-text
search, metrics) use ``Database.read_long``, which keeps aiosqlite's threads so the
loop serves others meanwhile.

The one wait left on the loop is SQLite's busy handler, if another process (a
``curbside`` command run beside the node) holds the write lock: that lasts as long
as that command's write transaction, at most ``busy_timeout``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import aiosqlite

# Rows fetched per call when iterating a cursor (aiosqlite's default).
ITER_CHUNK_SIZE = 64


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run in the caller's thread.

    aiosqlite's thread still opens and closes the sqlite3 connection; only the calls
    in between run inline, one at a time, as the pool hands the connection to one
    session at a time."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def inline_creator(path: str) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """An ``async_creator`` for SQLAlchemy that opens ``path`` as an InlineConnection."""

    async def connect() -> aiosqlite.Connection:
        def open_database() -> sqlite3.Connection:
            # Opened on aiosqlite's thread, used on the loop's: never at the same time.
            return sqlite3.connect(path, check_same_thread=False)

        connection = InlineConnection(open_database, ITER_CHUNK_SIZE)
        connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own
        return await connection

    return connect
