"""Reading notifications and marking them read; follows and digest settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.specialties import SPECIALTIES
from node.cases.models import Case, Reply
from node.cases.replies import reply_author
from node.cases.schemas import AuthorOut
from node.cases.service import author_out
from node.db.types import utcnow
from node.db.upsert import insert_ignoring_conflict
from node.notifications.models import (
    DigestFrequency,
    Kind,
    Notification,
    NotificationSettings,
    SpecialtyFollow,
)
from node.notifications.schemas import (
    NotificationCase,
    NotificationList,
    NotificationOut,
    NotificationQuery,
    NotificationReply,
)

EXCERPT_CHARS = 160


@dataclass(frozen=True)
class Entry:
    """A notification with what it is about, as loaded for one reader."""

    notification: Notification
    case: Case
    reply: Reply | None

    @property
    def actor(self) -> AuthorOut:
        # The reply's author for a reply; the case's author otherwise. Both carry only
        # a pseudonym when the author chose to be anonymous.
        return reply_author(self.reply) if self.reply is not None else author_out(self.case)


_Row = TypeVarTuple("_Row")


def shown(statement: Select[*_Row]) -> Select[*_Row]:
    """Only notifications about what members may still read: a case or reply that a
    moderator hid (patient data, say) is not quoted, counted or mailed from here
    either. The case is joined; the reply, when there is one, too."""
    return (
        statement.join(Case, Case.id == Notification.case_id)
        .outerjoin(Reply, Reply.id == Notification.reply_id)
        .where(Case.deleted_at.is_(None), Case.hidden_at.is_(None), Reply.hidden_at.is_(None))
    )


# The badge shows "99+" beyond this; counting further would cost every page view of
# a member who never reads (20,000 unread: 57 ms on SQLite, on the event loop).
BADGE_CAP = 100


async def badge_count(session: AsyncSession, member_id: int) -> int:
    """The unread count for the badge, up to BADGE_CAP: it stops reading there."""
    unread = shown(
        select(Notification.id).where(
            Notification.member_id == member_id, Notification.read_at.is_(None)
        )
    ).limit(BADGE_CAP)
    count = await session.scalar(select(func.count()).select_from(unread.subquery()))
    return int(count or 0)


async def unread_count(session: AsyncSession, member_id: int) -> int:
    """A COUNT on the (member_id, read_at) index, joined to the few unread rows' case
    and reply by primary key: cheap enough for every page."""
    count = await session.scalar(
        shown(
            select(func.count())
            .select_from(Notification)
            .where(Notification.member_id == member_id, Notification.read_at.is_(None))
        )
    )
    return int(count or 0)


async def entries(
    session: AsyncSession,
    member_id: int,
    *,
    limit: int,
    before: str | None = None,
    unread_only: bool = False,
    digest_id: int | None = None,
) -> list[Entry]:
    """Newest first. Notifications whose case or reply is gone are gone with it (the
    foreign keys cascade); those about hidden content are left out (``shown``)."""
    statement = shown(select(Notification, Case, Reply).where(Notification.member_id == member_id))
    if before:
        anchor = await session.scalar(
            select(Notification.id).where(
                Notification.public_id == before, Notification.member_id == member_id
            )
        )
        if anchor is not None:
            statement = statement.where(Notification.id < anchor)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    if digest_id is not None:
        statement = statement.where(Notification.digest_id == digest_id)
    rows = await session.execute(statement.order_by(Notification.id.desc()).limit(limit))
    return [Entry(notification, case, reply) for notification, case, reply in rows]


def notification_out(entry: Entry) -> NotificationOut:
    notification, case, reply = entry.notification, entry.case, entry.reply
    return NotificationOut(
        id=notification.public_id,
        kind=Kind(notification.kind),
        created_at=notification.created_at,
        read=notification.read_at is not None,
        case=NotificationCase(
            local_id=case.local_id,
            title=case.title,
            status=case.status,  # type: ignore[arg-type]
            specialties=case.specialty_codes,
        ),
        reply=(
            NotificationReply(local_id=reply.local_id, excerpt=excerpt(reply.content))
            if reply is not None
            else None
        ),
        actor=entry.actor,
    )


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"


async def notification_list(
    session: AsyncSession, member_id: int, query: NotificationQuery
) -> NotificationList:
    found = await entries(
        session,
        member_id,
        limit=query.limit + 1,
        before=query.before,
        unread_only=query.unread,
    )
    page = found[: query.limit]
    return NotificationList(
        items=[notification_out(entry) for entry in page],
        unread_count=await unread_count(session, member_id),
        next=page[-1].notification.public_id if len(found) > query.limit else None,
    )


async def mark_read(session: AsyncSession, member_id: int, public_ids: Sequence[str] | None) -> int:
    """Mark the member's own notifications read (all unread ones for ``None``).
    Ids of other members' notifications, or unknown ones, are simply not matched."""
    statement = (
        update(Notification)
        .where(Notification.member_id == member_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if public_ids is not None:
        statement = statement.where(Notification.public_id.in_(list(public_ids)))
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def find_notification(session: AsyncSession, member_id: int, public_id: str) -> Entry | None:
    found = await session.execute(
        select(Notification, Case, Reply)
        .join(Case, Case.id == Notification.case_id)
        .outerjoin(Reply, Reply.id == Notification.reply_id)
        .where(Notification.public_id == public_id, Notification.member_id == member_id)
    )
    row = found.first()
    return Entry(*row) if row is not None else None


# --- follows and settings ----------------------------------------------------------


async def followed(session: AsyncSession, member_id: int) -> list[str]:
    codes = set(
        await session.scalars(
            select(SpecialtyFollow.code).where(SpecialtyFollow.member_id == member_id)
        )
    )
    return [code for code in SPECIALTIES if code in codes]


async def replace_follows(session: AsyncSession, member_id: int, codes: Sequence[str]) -> None:
    wanted = set(codes)
    current = set(
        await session.scalars(
            select(SpecialtyFollow.code).where(SpecialtyFollow.member_id == member_id)
        )
    )
    if current - wanted:
        await session.execute(
            delete(SpecialtyFollow).where(
                SpecialtyFollow.member_id == member_id,
                SpecialtyFollow.code.in_(sorted(current - wanted)),
            )
        )
    for code in sorted(wanted - current):
        # Two saves racing (two tabs) must not fail on the primary key.
        await insert_ignoring_conflict(
            session, SpecialtyFollow, {"member_id": member_id, "code": code, "created_at": utcnow()}
        )


async def settings_of(session: AsyncSession, member_id: int) -> NotificationSettings | None:
    return await session.get(NotificationSettings, member_id)


async def set_digest(
    session: AsyncSession, member_id: int, frequency: DigestFrequency, *, now: datetime
) -> NotificationSettings:
    """Turning the digest on starts its first period now: nobody gets mailed a backlog
    from before they asked. Switching between daily and weekly keeps the period."""
    settings = await session.get(NotificationSettings, member_id, with_for_update=True)
    if settings is None:
        settings = NotificationSettings(
            member_id=member_id, digest=frequency.value, digest_since=now, updated_at=now
        )
        session.add(settings)
        return settings
    if settings.digest == DigestFrequency.OFF and frequency != DigestFrequency.OFF:
        settings.digest_since = now
    settings.digest = frequency.value
    settings.updated_at = now
    return settings
