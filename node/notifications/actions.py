"""What members do with follows and notifications, once, for the API and the pages.

Refusals are ``Problem`` exceptions: the API answers them as problem+json, the pages
show them on the form. Anything that changes a member's unread count tells the
node's ``UnreadSignal``, so the badges of their open pages update.
"""

from __future__ import annotations

from dataclasses import dataclass

from i18n.translate import gettext
from node.api.problems import not_found
from node.db.types import utcnow
from node.members.models import Member
from node.notifications import service
from node.notifications.live import UnreadSignal
from node.notifications.models import DigestFrequency, NotificationSettings
from node.notifications.schedule import next_slot
from node.notifications.schemas import (
    FollowsIn,
    FollowsOut,
    NotificationList,
    NotificationQuery,
    NotificationSettingsIn,
    NotificationSettingsOut,
    ReadIn,
    ReadOut,
)
from node.state import NodeState


async def follows(state: NodeState, member: Member) -> FollowsOut:
    async with state.db.read() as session:
        return FollowsOut(specialties=await service.followed(session, member.id))


async def set_follows(state: NodeState, member: Member, data: FollowsIn) -> FollowsOut:
    """Replace the set of followed specialties (an empty list follows none)."""
    async with state.db.write() as session:
        await service.replace_follows(session, member.id, data.specialties)
        return FollowsOut(specialties=await service.followed(session, member.id))


def _settings_out(
    state: NodeState, settings: NotificationSettings | None
) -> NotificationSettingsOut:
    frequency = DigestFrequency(settings.digest) if settings else DigestFrequency.OFF
    if settings is None or frequency == DigestFrequency.OFF:
        return NotificationSettingsOut(digest=frequency, next_digest_at=None)
    return NotificationSettingsOut(
        digest=frequency, next_digest_at=next_slot(state.config, frequency, settings.digest_since)
    )


async def notification_settings(state: NodeState, member: Member) -> NotificationSettingsOut:
    async with state.db.read() as session:
        return _settings_out(state, await service.settings_of(session, member.id))


async def set_notification_settings(
    state: NodeState, member: Member, data: NotificationSettingsIn
) -> NotificationSettingsOut:
    async with state.db.write() as session:
        settings = await service.set_digest(session, member.id, data.digest, now=utcnow())
        return _settings_out(state, settings)


async def notifications(
    state: NodeState, member: Member, query: NotificationQuery
) -> NotificationList:
    async with state.db.read() as session:
        return await service.notification_list(session, member.id, query)


async def mark_read(
    state: NodeState, signal: UnreadSignal, member: Member, data: ReadIn
) -> ReadOut:
    async with state.db.write() as session:
        marked = await service.mark_read(session, member.id, None if data.all else data.ids)
        count = await service.unread_count(session, member.id)
    if marked:
        signal.changed([member.id])
    return ReadOut(marked=marked, unread_count=count)


@dataclass(frozen=True)
class Target:
    """Where a notification leads: the case, and the reply it is about, if any."""

    case_local_id: str
    reply_local_id: str | None


async def open_notification(
    state: NodeState, signal: UnreadSignal, member: Member, public_id: str
) -> Target:
    """Following a notification's link marks it read."""
    async with state.db.write() as session:
        entry = await service.find_notification(session, member.id, public_id)
        if entry is None:
            raise not_found(
                gettext("No such notification; its case or reply may have been deleted.")
            )
        marked = await service.mark_read(session, member.id, [public_id])
        target = Target(entry.case.local_id, entry.reply.local_id if entry.reply else None)
    if marked:
        signal.changed([member.id])
    return target
