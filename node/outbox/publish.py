"""Appending an activity to the outgoing log, inside the caller's transaction.

The activity is stored together with the change it announces (a new case and its
Create commit together or not at all), which is what makes delivery durable: the
worker finds it in the log whatever happens to this process afterwards.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from node.outbox.carried import carried
from node.outbox.models import OutboxEntry

# Any constant will do: it names the lock that serialises appends on PostgreSQL.
_APPEND_LOCK = 0x6375726273696465  # "curbside"
# Set in a session's info once its transaction holds that lock.
_HOLDS_APPEND_LOCK = "curbside_holds_append_lock"


def holds_append_lock(session: AsyncSession) -> bool:
    """Whether this transaction has published on PostgreSQL (or withdrawn entries,
    withdraw.py): it then holds the append lock or outbox rows until it ends, and must
    not wait for a case row any more (see docs/architecture.md on lock order)."""
    return bool(session.info.get(_HOLDS_APPEND_LOCK))


def note_outbox_locks(session: AsyncSession) -> None:
    """This transaction now holds outbox locks until it ends (on PostgreSQL)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        session.info[_HOLDS_APPEND_LOCK] = True


def encode(activity: dict[str, Any]) -> str:
    return json.dumps(activity, ensure_ascii=False, separators=(",", ":"))


async def publish(
    session: AsyncSession, activity: dict[str, Any], *, recipient: str | None = None
) -> OutboxEntry:
    """Log ``activity`` for delivery to every peer, or only to ``recipient`` (an origin)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # Without this, a transaction that took seq 7 could commit after one that
        # took seq 8; a worker that already delivered 8 would never send 7.
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
        note_outbox_locks(session)
    thread_iri, content_iri = carried(activity)
    entry = OutboxEntry(
        activity_id=activity["id"],
        activity_type=activity["type"],
        body=encode(activity),
        recipient=recipient,
        thread_iri=thread_iri,
        content_iri=content_iri,
    )
    session.add(entry)
    await session.flush()
    return entry
