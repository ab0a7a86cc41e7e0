"""Specialty follows, notifications, digest preferences and the digests mailed.

Everything here stays on the node: it links members (internal ids) to what they
read, which is nobody else's business and never federated.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node.db.base import Base
from node.db.types import utcnow


class Kind(StrEnum):
    NEW_CASE = "new_case"  # a case in a specialty the member follows
    REPLY = "reply"  # a reply in a thread the member posted or answered
    RESOLVED = "resolved"  # a thread the member answered was resolved


class DigestFrequency(StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


class DigestStatus(StrEnum):
    PENDING = "pending"  # claimed, not (yet) accepted by the mail server
    SENT = "sent"
    SKIPPED = "skipped"  # nothing left to say, or the member opted out meanwhile
    FAILED = "failed"  # the mail server refused it too often; given up


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class SpecialtyFollow(Base):
    __tablename__ = "specialty_follows"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own: a new case looks up the followers of its specialties.
    code: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationSettings(Base):
    """A member's digest choice. No row means the defaults (no digest)."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        CheckConstraint(_one_of("digest", DigestFrequency), name="digest"),
        # The digest job asks "who opted in and has not had this period's digest?"
        Index("ix_notification_settings_due", "digest", "digest_since"),
    )

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(10), default=DigestFrequency.OFF.value)
    # Start of the period the next digest covers: when the member opted in, then the
    # time of the last digest. The job claims a period by moving it (compare-and-set).
    digest_since: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Digest(Base):
    """One digest email: claimed first, then sent, so a crash neither loses nor
    (apart from the moment between the server's "OK" and our commit) repeats it."""

    __tablename__ = "notification_digests"
    __table_args__ = (
        CheckConstraint(_one_of("status", DigestStatus), name="status"),
        Index("ix_notification_digests_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random: it becomes the email's Message-ID, which must not count our digests.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=DigestStatus.PENDING.value)
    period_start: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Notification(Base):
    """Something a member should see. What it is about is read from the case and
    reply rows when shown, so an edit shows its new title, an anonymous author stays
    a pseudonym, and a deleted case or reply takes its notifications with it."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_one_of("kind", Kind), name="kind"),
        # One notification per member and subject: a redelivered event adds nothing.
        UniqueConstraint("member_id", "subject", name="uq_notifications_member_subject"),
        Index("ix_notifications_member_list", "member_id", "id"),
        Index("ix_notifications_member_unread", "member_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reply_id: Mapped[int | None] = mapped_column(
        ForeignKey("replies.id", ondelete="CASCADE"), index=True
    )
    # "<kind>:<case or reply id>": what makes two notifications the same one.
    subject: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_digests.id", ondelete="SET NULL"), index=True
    )
