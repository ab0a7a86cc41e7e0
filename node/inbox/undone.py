"""Earlier activities still waiting to be applied when a later one takes them back.

The worker applies activities oldest first, but one that failed on a passing error
(a locked database, say) is retried later, after its successors. If a successor is
its ``Undo``, the retry would bring back what the sender has taken back: a helpful
mark that stays at the case's origin and so on every node. The Undo's handler
therefore marks such a waiting activity ``undone``; the worker never applies it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from node.db.types import utcnow
from node.inbox.models import InboxEntry

UNDONE = "undone"


class BeingApplied(RuntimeError):
    """Another worker process is applying an activity this Undo takes back. The Undo
    fails for now and is retried: by then that activity is applied, and the Undo finds
    what it has to take back (a mark, say) instead of a waiting activity."""


async def undo_waiting(
    session: AsyncSession,
    *,
    undo_id: str,
    signer_origin: str,
    mentions: str,
    matches: Callable[[dict[str, Any]], bool],
) -> int:
    """Mark as undone the activities from ``signer_origin`` stored before the Undo
    ``undo_id`` and not applied yet, for which ``matches`` holds; how many there were.
    Only earlier ones: the same member may do it again after taking it back.
    ``mentions`` is a string every such activity contains (its actor), so that a
    peer's long backlog is not read and parsed whole."""
    own_row = select(InboxEntry.id).where(InboxEntry.activity_id == undo_id).scalar_subquery()
    waiting = await session.execute(
        select(InboxEntry.id, InboxEntry.activity).where(
            InboxEntry.state == "pending",
            InboxEntry.signer_origin == signer_origin,
            InboxEntry.id < own_row,
            InboxEntry.activity.contains(mentions, autoescape=True),
        )
    )
    ids = {row_id for row_id, text in waiting if matches(json.loads(text))}
    if not ids:
        return 0
    # On PostgreSQL another worker may have claimed one (FOR UPDATE SKIP LOCKED) and be
    # applying it now: waiting for its row could deadlock, and marking it after its
    # commit would change nothing, leaving the mark. So: never wait, and retry.
    free = set(
        await session.scalars(
            select(InboxEntry.id)
            .where(InboxEntry.id.in_(ids), InboxEntry.state == "pending")
            .with_for_update(skip_locked=True)
        )
    )
    if ids - free:
        raise BeingApplied("an activity this Undo takes back is being applied; retried later")
    await session.execute(
        update(InboxEntry)
        .where(InboxEntry.id.in_(free))
        .values(state=UNDONE, applied_at=utcnow(), last_error=None)
        .execution_options(synchronize_session=False)
    )
    return len(free)
