"""Who hears about what: notifications created from the node's domain events.

A case posted here or received from a peer notifies the members following one of its
specialties; a reply, written here or relayed by a case's origin, notifies the
members of this node who posted or answered that thread; a resolution notifies the
thread's answerers. Nobody is told about their own doing, only verified members are
told anything, and each (member, subject) pair is stored once, so an event handled
twice — or a reply that is also news in a followed specialty — never doubles up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from node.cases.models import Case, CaseSpecialty, Reply
from node.cases.service import new_local_id
from node.db.types import utcnow
from node.events import CaseCreated, CaseResolved, Event, ReplyCreated
from node.members.models import Member, VerificationStatus
from node.notifications.live import UnreadSignal
from node.notifications.models import Kind, Notification, SpecialtyFollow
from node.state import NodeState

# Rows per INSERT: a popular specialty can have thousands of followers on a node.
INSERT_CHUNK = 1000


async def _verified(session: AsyncSession, member_ids: Iterable[int]) -> list[int]:
    wanted = sorted(set(member_ids))
    if not wanted:
        return []
    rows = await session.scalars(
        select(Member.id).where(
            Member.id.in_(wanted), Member.status == VerificationStatus.VERIFIED.value
        )
    )
    return list(rows)


async def _store(
    session: AsyncSession,
    member_ids: list[int],
    *,
    kind: Kind,
    case_id: int,
    reply_id: int | None,
    subject: str,
) -> list[int]:
    if not member_ids:
        return []
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "public_id": new_local_id(),
            "member_id": member_id,
            "kind": kind.value,
            "case_id": case_id,
            "reply_id": reply_id,
            "subject": subject,
            "created_at": now,
        }
        for member_id in member_ids
    ]
    statement = insert(Notification).on_conflict_do_nothing(index_elements=["member_id", "subject"])
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(statement, rows[start : start + INSERT_CHUNK])
    return member_ids


async def _answerers(session: AsyncSession, case_id: int) -> set[int]:
    """Members of this node who replied in the thread (under their name or not)."""
    rows = await session.scalars(
        select(Reply.author_member_id)
        .where(Reply.case_id == case_id, Reply.author_member_id.is_not(None))
        .distinct()
    )
    return {member_id for member_id in rows if member_id is not None}


async def notify_new_case(session: AsyncSession, case_id: int) -> list[int]:
    case = await session.get(Case, case_id)
    if case is None or case.deleted_at is not None:
        return []
    # Joined in SQL rather than filtered with IN (...): a specialty can have thousands
    # of followers on a node, more than a statement may carry as parameters.
    followers = await session.scalars(
        select(SpecialtyFollow.member_id)
        .join(Member, Member.id == SpecialtyFollow.member_id)
        .where(
            SpecialtyFollow.code.in_(
                select(CaseSpecialty.code).where(CaseSpecialty.case_id == case_id)
            ),
            Member.status == VerificationStatus.VERIFIED.value,
        )
        .distinct()
    )
    recipients = sorted(set(followers) - {case.author_member_id})
    return await _store(
        session,
        recipients,
        kind=Kind.NEW_CASE,
        case_id=case_id,
        reply_id=None,
        subject=f"case:{case_id}",
    )


async def notify_reply(session: AsyncSession, case_id: int, reply_id: int) -> list[int]:
    case = await session.get(Case, case_id)
    reply = await session.get(Reply, reply_id)
    if case is None or reply is None or case.deleted_at is not None:
        return []
    involved = await _answerers(session, case_id)
    if case.author_member_id is not None:
        involved.add(case.author_member_id)
    involved.discard(reply.author_member_id)  # type: ignore[arg-type]
    return await _store(
        session,
        await _verified(session, involved),
        kind=Kind.REPLY,
        case_id=case_id,
        reply_id=reply_id,
        subject=f"reply:{reply_id}",
    )


async def notify_resolved(session: AsyncSession, case_id: int) -> list[int]:
    """The case's author resolved it themselves (only the author can), so only the
    thread's answerers on this node are told."""
    case = await session.get(Case, case_id)
    if case is None or case.deleted_at is not None or case.status != "resolved":
        return []
    answerers = await _answerers(session, case_id)
    answerers.discard(case.author_member_id)  # type: ignore[arg-type]
    return await _store(
        session,
        await _verified(session, answerers),
        kind=Kind.RESOLVED,
        case_id=case_id,
        reply_id=None,
        subject=f"resolved:{case_id}",
    )


class NotificationTriggers:
    """The node's event subscriber: store notifications, then wake open badges."""

    def __init__(self, state: NodeState, signal: UnreadSignal) -> None:
        self.state = state
        self.signal = signal

    async def __call__(self, event: Event) -> None:
        if not isinstance(event, CaseCreated | ReplyCreated | CaseResolved):
            return  # ThreadChanged, the most frequent event, needs no write at all
        async with self.state.db.write() as session:
            if isinstance(event, CaseCreated):
                notified = await notify_new_case(session, event.case_id)
            elif isinstance(event, ReplyCreated):
                notified = await notify_reply(session, event.case_id, event.reply_id)
            else:
                notified = await notify_resolved(session, event.case_id)
        # After the commit, so a badge that recounts finds the new rows.
        self.signal.changed(notified)
