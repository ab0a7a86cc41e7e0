"""Emptying the JSON of received activities: deleted content at once, the rest a day
after it was applied.

A row's activity id stays for good: it is what makes a redelivery a no-op. Rows the
worker has not applied yet are left alone (it needs their JSON; a deleted object's
late Create then loses to its tombstone and is emptied a day after). Rows that failed
keep their JSON for the operator, whose explanation it is, unless what they carry is
deleted.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from node.db.engine import Database
from node.inbox.models import BODY_KEPT_CONDITION, InboxEntry

# How long an applied activity keeps its JSON (models.py, ix_inbox_body_kept), and how
# many rows one write transaction empties: short, as every write waits on SQLite.
BODY_KEPT = timedelta(days=1)
BODY_BATCH = 500
DONE_STATES = ("applied", "undone", "failed")


# The conditions forgotten in a transaction, in its session's info: the inbox worker
# forgets them again once it has marked its batch applied (forget_again).
_FORGOTTEN = "curbside_forgotten"


async def _forget_now(session: AsyncSession, condition: ColumnElement[bool]) -> None:
    await session.execute(
        update(InboxEntry)
        .where(condition, InboxEntry.state.in_(DONE_STATES), InboxEntry.raw != "")
        .values(activity="", raw="")
        .execution_options(synchronize_session=False)
    )


async def _forget(session: AsyncSession, condition: ColumnElement[bool]) -> None:
    session.info.setdefault(_FORGOTTEN, []).append(condition)
    await _forget_now(session, condition)


async def forget_again(session: AsyncSession) -> None:
    """After the inbox worker marked its batch applied: rows of that batch were still
    pending when a deletion in it forgot their thread or post (a reply and its Delete
    claimed together), and are forgotten now. (A deletion whose savepoint rolled back
    after forgetting is forgotten again too: that costs only JSON of applied rows,
    which the janitor empties within a day anyway, never the case or reply.)"""
    for condition in session.info.pop(_FORGOTTEN, []):
        await _forget_now(session, condition)


async def forget_thread(session: AsyncSession, case_iri: str) -> None:
    """The received text of a deleted case and of its thread's replies."""
    await _forget(session, InboxEntry.thread_iri == case_iri)


async def forget_post(session: AsyncSession, case_iri: str, iri: str) -> None:
    """The received text of one deleted reply of the case's thread."""
    await _forget(session, (InboxEntry.thread_iri == case_iri) & (InboxEntry.content_iri == iri))


async def forget_failed_post(session: AsyncSession, iri: str) -> None:
    """A reply deleted before it got here: activities about it that failed for want of
    it (an edit, a relay into a thread we lack) keep its text no longer. Found among
    the failed rows, which are few, as the thread is unknown."""
    await _forget(session, (InboxEntry.state == "failed") & (InboxEntry.content_iri == iri))


async def forget_applied_bodies(db: Database, now: datetime) -> int:
    """Empty the JSON of activities applied (or undone) more than BODY_KEPT ago; the
    row and its activity id stay, so a redelivery is still recognised. How many."""
    due = (
        select(InboxEntry.id)
        .where(BODY_KEPT_CONDITION, InboxEntry.applied_at < now - BODY_KEPT)
        .limit(BODY_BATCH)
        # Never wait for rows a deletion is forgetting (PostgreSQL; the janitor locks
        # in id order, a deletion in index order): they are done next round.
        .with_for_update(skip_locked=True)
    )
    forgotten = 0
    while True:
        async with db.write() as session:
            ids = list(await session.scalars(due))
            if ids:
                await _forget_now(session, InboxEntry.id.in_(ids))
        forgotten += len(ids)
        if len(ids) < BODY_BATCH:
            return forgotten
        await asyncio.sleep(0)  # let requests in between batches
