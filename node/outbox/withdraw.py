"""Taking the words of a deleted case or reply out of the outgoing log.

The log keeps every activity for peers that have not received it yet and for late
joiners that read ``/outbox``. A deleted case or reply must not live on there: its
Create, its edits, the replies of its thread and the origin's relays of them would
otherwise still be delivered to a peer that was away, and served to every node that
joins later. So each entry records which thread and which post it carries the text
of (``carried.py``, at publish time), and a deletion withdraws those entries: their
body is emptied and they are never delivered or served again. The Delete itself, and
activities that carry no text (views, helpful marks, votes, tombstones), stay.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession

from node.db.types import utcnow
from node.outbox.models import OutboxEntry
from node.outbox.publish import note_outbox_locks


async def _withdraw(session: AsyncSession, condition: ColumnElement[bool]) -> int:
    result = await session.execute(
        update(OutboxEntry)
        .where(condition, OutboxEntry.withdrawn_at.is_(None))
        .values(body="", withdrawn_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    withdrawn = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if withdrawn:
        note_outbox_locks(session)  # its rows are locked now, as after a publish
    return withdrawn


async def withdraw_thread(session: AsyncSession, case_iri: str) -> int:
    """Every logged activity carrying text of the case or of its replies."""
    return await _withdraw(session, OutboxEntry.thread_iri == case_iri)


async def withdraw_post(session: AsyncSession, iri: str) -> int:
    """Every logged activity carrying the text of this reply (or case)."""
    return await _withdraw(session, OutboxEntry.content_iri == iri)
