"""Who hears about what: notifications created from the node's domain events.

A case posted here or received from a peer notifies the members following one of its
specialties; a reply, written here or relayed by a case's origin, notifies the
members of this node who posted or answered that thread; a resolution notifies the
thread's answerers. Nobody is told about their own doing, only verified members are
told anything, and each (member, subject) pair is stored once, so an event handled
twice — or a reply that is also news in a followed specialty — never doubles up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    exists,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from node.cases.models import Case, CaseSpecialty, Reply
from node.cases.service import new_local_id
from node.db.types import utcnow
from node.events import CaseCreated, CaseResolved, Event, ReplyCreated, VisibilityChanged
from node.members.models import Member, VerificationStatus
from node.notifications.live import UnreadSignal
from node.notifications.models import Kind, Notification, SpecialtyFollow
from node.state import NodeState

# Rows per INSERT: a popular specialty can have thousands of followers on a node.
INSERT_CHUNK = 1000
# Events asked about per statement ("does this one notify anyone?").
ASK_CHUNK = 100


VERIFIED = VerificationStatus.VERIFIED.value


def _answerers(case_id: int) -> Select[int | None]:
    """Members of this node who replied in the thread (under their name or not)."""
    return select(Reply.author_member_id).where(
        Reply.case_id == case_id, Reply.author_member_id.is_not(None)
    )


def _live_case(case_id: int, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Case.id == case_id, Case.deleted_at.is_(None), *conditions)


def _followed_cases() -> Select[int, int]:
    """(case, member) for verified followers of any of a case's specialties, except
    the case's author.

    Joined in SQL rather than filtered with IN (...): a specialty can have thousands
    of followers on a node, more than a statement may carry as parameters."""
    return (
        select(CaseSpecialty.case_id, SpecialtyFollow.member_id)
        .join(Member, Member.id == SpecialtyFollow.member_id)
        .join(CaseSpecialty, CaseSpecialty.code == SpecialtyFollow.code)
        .join(Case, Case.id == CaseSpecialty.case_id)
        .where(
            Case.deleted_at.is_(None),
            Member.status == VERIFIED,
            or_(
                Case.author_member_id.is_(None),
                SpecialtyFollow.member_id != Case.author_member_id,
            ),
        )
    )


def new_case_recipients(case_id: int) -> Select[int]:
    """Who hears of a new case: verified followers of its specialties, not its author."""
    followed = _followed_cases().where(Case.id == case_id).subquery()
    return select(followed.c.member_id).distinct()


def _cases_anyone_follows() -> Select[int]:
    """Which of the new cases ``:case_ids`` notify somebody: one statement for a whole
    batch, built once (building SQL costs more than running this)."""
    followed = (
        _followed_cases()
        .where(CaseSpecialty.case_id.in_(bindparam("case_ids", expanding=True)))
        .subquery()
    )
    return select(followed.c.case_id).distinct()


CASES_ANYONE_FOLLOWS = _cases_anyone_follows()


def reply_recipients(case_id: int, reply_id: int) -> Select[int]:
    """The thread's author and answerers on this node who are verified, except the
    reply's own author."""
    involved = union(
        _answerers(case_id),
        select(Case.author_member_id).where(Case.id == case_id, Case.author_member_id.is_not(None)),
    ).subquery()
    return select(Member.id).where(
        Member.id.in_(select(involved.c.author_member_id)),
        Member.status == VERIFIED,
        Member.id.not_in(
            select(Reply.author_member_id).where(
                Reply.id == reply_id, Reply.author_member_id.is_not(None)
            )
        ),
        _live_case(case_id),
        exists().where(Reply.id == reply_id),
    )


def resolved_recipients(case_id: int) -> Select[int]:
    """The case's author resolved it themselves (only the author can), so only the
    thread's answerers on this node are told."""
    return select(Member.id).where(
        Member.id.in_(_answerers(case_id)),
        Member.status == VERIFIED,
        Member.id.not_in(
            select(Case.author_member_id).where(
                Case.id == case_id, Case.author_member_id.is_not(None)
            )
        ),
        _live_case(case_id, Case.status == "resolved"),
    )


async def _store(
    session: AsyncSession,
    recipients: Select[int],
    *,
    kind: Kind,
    case_id: int,
    reply_id: int | None,
    subject: str,
) -> list[int]:
    member_ids = sorted(set(await session.scalars(recipients)))
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


@dataclass(frozen=True)
class _Plan:
    """Who an event may notify (one SELECT), and how the notifications are stored.

    The SELECT is built only when needed: building SQL expressions costs more than
    running them, and most plans are settled by one batch question (see
    ``_anyone_told``)."""

    kind: Kind
    case_id: int
    reply_id: int | None
    subject: str

    def recipients(self) -> Select[int]:
        if self.kind is Kind.NEW_CASE:
            return new_case_recipients(self.case_id)
        if self.kind is Kind.REPLY:
            assert self.reply_id is not None
            return reply_recipients(self.case_id, self.reply_id)
        return resolved_recipients(self.case_id)

    async def store(self, session: AsyncSession) -> list[int]:
        return await _store(
            session,
            self.recipients(),
            kind=self.kind,
            case_id=self.case_id,
            reply_id=self.reply_id,
            subject=self.subject,
        )


def _plan(event: Event) -> _Plan | None:
    if isinstance(event, CaseCreated):
        return _Plan(Kind.NEW_CASE, event.case_id, None, f"case:{event.case_id}")
    if isinstance(event, ReplyCreated):
        return _Plan(Kind.REPLY, event.case_id, event.reply_id, f"reply:{event.reply_id}")
    if isinstance(event, CaseResolved):
        return _Plan(Kind.RESOLVED, event.case_id, None, f"resolved:{event.case_id}")
    return None  # ThreadChanged, the most frequent event, and VisibilityChanged


async def notify_new_case(session: AsyncSession, case_id: int) -> list[int]:
    plan = _plan(CaseCreated(case_id))
    assert plan is not None
    return await plan.store(session)


async def notify_reply(session: AsyncSession, case_id: int, reply_id: int) -> list[int]:
    plan = _plan(ReplyCreated(case_id, reply_id))
    assert plan is not None
    return await plan.store(session)


async def notify_resolved(session: AsyncSession, case_id: int) -> list[int]:
    plan = _plan(CaseResolved(case_id))
    assert plan is not None
    return await plan.store(session)


class NotificationTriggers:
    """The node's event subscriber: store notifications, then wake open badges.

    Most events notify nobody (a case received from a peer in a specialty no member
    here follows), so whether anyone is told is asked first, in a read, without
    queueing for the writer, which on SQLite is the one connection every inbox write
    needs too. The events of one commit (the inbox worker applies activities in
    batches) are asked about together, in one statement.
    """

    def __init__(self, state: NodeState, signal: UnreadSignal) -> None:
        self.state = state
        self.signal = signal

    async def __call__(self, events: Sequence[Event]) -> None:
        if any(isinstance(event, VisibilityChanged) for event in events):
            self.signal.changed_for_everyone()
        plans = [plan for plan in map(_plan, events) if plan is not None]
        if not plans:
            return
        async with self.state.db.read() as session:
            told = await _anyone_told(session, plans)
        if not told:
            return
        async with self.state.db.write() as session:
            notified = [
                member_id
                for index, plan in enumerate(plans)
                if index in told
                for member_id in await plan.store(session)
            ]
        # After the commit, so a badge that recounts finds the new rows.
        self.signal.changed(notified)


async def _anyone_told(session: AsyncSession, plans: list[_Plan]) -> set[int]:
    """The indexes of the plans that notify someone, in as few statements as the
    database allows: new cases in one IN (...) per ASK_CHUNK, other events as a
    compound of EXISTS per ASK_CHUNK (SQLite allows 500 terms in a compound SELECT)."""
    told: set[int] = set()
    new_cases: dict[int, list[int]] = {}  # case id -> indexes of its plans
    others: list[int] = []
    for index, plan in enumerate(plans):
        if plan.kind is Kind.NEW_CASE:
            new_cases.setdefault(plan.case_id, []).append(index)
        else:
            others.append(index)
    case_ids = list(new_cases)
    for start in range(0, len(case_ids), ASK_CHUNK):
        chunk = case_ids[start : start + ASK_CHUNK]
        for case_id in await session.scalars(CASES_ANYONE_FOLLOWS, {"case_ids": chunk}):
            told.update(new_cases[case_id])
    for start in range(0, len(others), ASK_CHUNK):
        selects = [
            select(literal(index, Integer)).where(plans[index].recipients().exists())
            for index in others[start : start + ASK_CHUNK]
        ]
        compound = selects[0] if len(selects) == 1 else union_all(*selects)
        told.update(await session.scalars(compound))
    return told
