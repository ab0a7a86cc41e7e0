"""Tables of the accounts feature: email confirmation and two-factor state, one-time
links sent by email, and recovery codes.

A member created by an operator (``curbside members add``) has no ``AccountSecurity``
row: the operator vouched for the address, and no second factor is set up yet.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from node.db.base import Base
from node.db.types import utcnow


class TokenPurpose(StrEnum):
    CONFIRM_EMAIL = "confirm-email"
    RESET_PASSWORD = "reset-password"  # noqa: S105 -- a purpose label, not a secret


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class AccountSecurity(Base):
    __tablename__ = "account_security"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    # None until the member follows the link mailed at sign-up; they cannot sign in before.
    email_confirmed_at: Mapped[datetime | None]
    # The TOTP secret, encrypted with a key derived from the node secret. Set while
    # setting up (enabled_at still None) and once enabled.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None]
    # The last accepted time step: a code seen once is refused if replayed.
    totp_last_step: Mapped[int | None]


class AccountToken(Base):
    """A link mailed to a member. Only the token's SHA-256 is stored; single use."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint(_one_of("purpose", TokenPurpose), name="purpose"),
        Index("ix_account_tokens_member_purpose", "member_id", "purpose", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """One code for a lost authenticator, stored as an HMAC keyed by the node secret."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
