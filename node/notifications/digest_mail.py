"""The digest email: plain text and simple HTML, in the recipient's language.

It names cases by title and authors as the notification page does (an anonymous
author by pseudonym only); it never quotes case or reply text, which would put
clinical detail into mailboxes, and it names no member but the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.languages import text_direction
from i18n.translate import activate, deactivate, ngettext
from node.mail.sender import Mail
from node.members.models import Member
from node.notifications.models import Digest, DigestFrequency, Notification, NotificationSettings
from node.notifications.service import entries, shown
from node.notifications.text import describe
from node.state import NodeState

MAX_ITEMS = 50


@dataclass(frozen=True)
class DigestItem:
    sentence: str
    link: str
    created_at: datetime


async def compose(state: NodeState, session: AsyncSession, digest: Digest) -> Mail | None:
    """The email for a claimed digest, or None if there is nothing (left) to send: the
    member opted out or lost their verification meanwhile, or read everything."""
    member = await session.get(Member, digest.member_id)
    settings = await session.get(NotificationSettings, digest.member_id)
    if (
        member is None
        or not member.is_verified
        or settings is None
        or settings.digest == DigestFrequency.OFF
    ):
        return None
    unread = (Notification.digest_id == digest.id) & Notification.read_at.is_(None)
    count = shown(select(func.count()).select_from(Notification).where(unread))
    total = int(await session.scalar(count) or 0)
    found = await entries(
        session, member.id, limit=MAX_ITEMS, unread_only=True, digest_id=digest.id
    )
    if not found:
        return None
    language = member.locale or state.config.locale
    token = activate(language, state.catalogs.get(language))
    try:
        base = state.config.base_url
        items = [
            DigestItem(
                sentence=describe(entry),
                link=f"{base}/notifications/{entry.notification.public_id}/open",
                created_at=entry.notification.created_at,
            )
            for entry in found
        ]
        context: dict[str, Any] = {
            "lang": language,
            "dir": text_direction(language),
            "node_name": state.config.name,
            "member_name": member.name,
            "items": items,
            "more": max(0, total - len(items)),
            "notifications_url": f"{base}/notifications",
            "settings_url": f"{base}/settings/follows",
        }
        subject = ngettext(
            "%(num)s new notification on %(node)s",
            "%(num)s new notifications on %(node)s",
            total,
            node=state.config.name,
        )
        text = state.templates.get_template("notifications/digest.txt").render(context)
        html = state.templates.get_template("notifications/digest.html").render(
            {**context, "subject": subject}
        )
    finally:
        deactivate(token)
    host = state.config.domain.split(":")[0]
    return Mail(
        to=member.email,
        subject=subject,
        text=text,
        html=html,
        message_id=f"<digest-{digest.public_id}@{host}>",
    )
