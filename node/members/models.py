"""Members and their API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    and_,
    literal_column,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.db.base import Base
from node.db.types import utcnow


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class VerificationStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(_one_of("role", Role), name="role"),
        CheckConstraint(_one_of("status", VerificationStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The handle in this member's actor IRI. Random, so the internal id (which
    # would reveal sign-up order and head count) never leaves the node.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(64))
    licence: Mapped[str | None] = mapped_column(String(64), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    status: Mapped[str] = mapped_column(String(16), default=VerificationStatus.PENDING.value)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None]
    # The status peers were last told (None: never announced); see members/attestation.py.
    federated_status: Mapped[str | None] = mapped_column(String(16))

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_verified(self) -> bool:
        return self.status == VerificationStatus.VERIFIED


# Members whose status peers have not been told yet (attestation.py asks every few
# seconds): a handful at most, in a partial index instead of a scan of every member.
# The query repeats this condition word for word; SQLite uses the index only then, so
# the statuses peers may learn (actor.py) are a literal, not bound parameters: pending
# and rejected members are never announced and stay out of it (until 0024 they were
# in it for good, and every sign-up added one). Changing the list takes a migration.
ANNOUNCEMENT_DUE = and_(
    literal_column("status IN ('revoked', 'suspended', 'verified')", Boolean),
    or_(Member.federated_status.is_(None), Member.federated_status != Member.status),
)
Index(
    "ix_members_announcement_due",
    Member.id,
    sqlite_where=ANNOUNCEMENT_DUE,
    postgresql_where=ANNOUNCEMENT_DUE,
)


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored: a database leak yields no tokens."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship(back_populates="tokens")
