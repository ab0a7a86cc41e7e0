"""One writer per thread at a time.

Counters on a thread (reply count, helpful totals, poll tallies, view counts, the
thread version peers compare) are read, changed and written back by the API and by
the inbox worker, in any number of node processes. On PostgreSQL (READ COMMITTED)
two such transactions would both start from the same value and one increment would
be lost; the thread would then differ between nodes for good. Every change to a
thread's counters therefore starts by locking the case row and reloading what it
is about to change. SQLite serialises writers already; the lock is a no-op there.

The lock is ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: inserting a vote, a view or a
reply takes a key-share lock on the case row (its foreign key), and ``FOR UPDATE``
would deadlock two transactions that each inserted one and then asked for the lock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from node.cases.models import Case

#: ``FOR NO KEY UPDATE`` on PostgreSQL (see the module's note).
ROW_LOCK: dict[str, Any] = {"key_share": True}


async def lock_thread(session: AsyncSession, case: Case, *loaded: object) -> None:
    """Lock ``case`` until the transaction ends, then reload it and ``loaded`` (objects
    of the thread read before the lock) so what is written builds on committed values."""
    await session.refresh(case, with_for_update=ROW_LOCK)
    for obj in loaded:
        await session.refresh(obj)
