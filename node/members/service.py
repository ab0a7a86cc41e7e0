"""Creating members and issuing, resolving and revoking their API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.specialties import is_specialty
from node.audit.service import record
from node.db.types import utcnow
from node.members.models import ApiToken, Member, Role, VerificationStatus
from node.members.passwords import check_password_policy, hash_password

TOKEN_PREFIX = "cs_"  # noqa: S105 -- a prefix, not a secret; lets secret scanners recognise a leaked Curbside token
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_LICENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]{0,63}$")
# Refresh last_used_at at most this often: a write per API call would serialise reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class MemberExists(ValueError):
    pass


class NewMember(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    email: str = Field(max_length=320)
    name: str = Field(min_length=1, max_length=200)
    specialty: str
    licence: str | None = None
    password: str | None = None
    verified: bool = False
    role: Role = Role.MEMBER

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an email address")
        return value.lower()

    @field_validator("specialty")
    @classmethod
    def _specialty(cls, value: str) -> str:
        if not is_specialty(value):
            raise ValueError(f"unknown specialty code {value!r}; see GET /api/v1/specialties")
        return value

    @field_validator("password")
    @classmethod
    def _password(cls, value: str | None) -> str | None:
        if value is not None:
            check_password_policy(value)
        return value

    @field_validator("licence")
    @classmethod
    def _licence(cls, value: str | None) -> str | None:
        if value is not None and not _LICENCE.match(value):
            raise ValueError(
                "licence must be 1-64 letters, digits, spaces, dots, slashes or dashes"
            )
        return value


def new_public_id() -> str:
    """A random, URL-safe handle for the member's actor IRI."""
    return secrets.token_hex(10)


async def find_member_by_email(session: AsyncSession, email: str) -> Member | None:
    return await session.scalar(select(Member).where(Member.email == email.strip().lower()))


async def add_member(session: AsyncSession, new: NewMember, *, actor: str) -> Member:
    if await find_member_by_email(session, new.email) is not None:
        raise MemberExists(f"a member with email {new.email} already exists")
    member = Member(
        public_id=new_public_id(),
        email=new.email,
        name=new.name,
        specialty=new.specialty,
        licence=new.licence,
        password_hash=hash_password(new.password) if new.password is not None else None,
        role=new.role.value,
        status=(VerificationStatus.VERIFIED if new.verified else VerificationStatus.PENDING).value,
        verified_at=utcnow() if new.verified else None,
    )
    session.add(member)
    await session.flush()
    record(
        session,
        actor=actor,
        action="member.add",
        subject=f"member:{member.public_id}",
        details={"role": member.role, "status": member.status},
    )
    return member


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(
    session: AsyncSession,
    member: Member,
    *,
    label: str,
    actor: str,
    lifetime: timedelta | None = None,
) -> str:
    """Create a token and return it; only its hash is kept, so this is the only copy."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = utcnow() + lifetime if lifetime is not None else None
    session.add(
        ApiToken(
            member_id=member.id, token_hash=_token_hash(token), label=label, expires_at=expires_at
        )
    )
    record(
        session,
        actor=actor,
        action="token.issue",
        subject=f"member:{member.public_id}",
        details={"label": label},
    )
    return token


@dataclass(frozen=True)
class TokenOwner:
    member: Member
    token_id: int
    last_used_at: datetime | None

    def needs_touch(self, now: datetime) -> bool:
        return self.last_used_at is None or now - self.last_used_at >= LAST_USED_RESOLUTION


# One statement for token and member, built once: every API request runs it.
TOKEN_OWNER = (
    select(ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at, Member)
    .join(Member, Member.id == ApiToken.member_id)
    .where(ApiToken.token_hash == bindparam("hash"))
)


async def resolve_token(
    session: AsyncSession, token: str, *, now: datetime | None = None
) -> TokenOwner | None:
    """Who a live token belongs to; None for unknown, revoked or expired tokens."""
    # Ours are ASCII; header bytes that are not UTF-8 arrive as surrogate escapes,
    # which could not even be hashed.
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128 or not token.isascii():
        return None
    now = now or utcnow()
    found = (await session.execute(TOKEN_OWNER, {"hash": _token_hash(token)})).one_or_none()
    if found is None:
        return None
    token_id, revoked_at, expires_at, last_used_at, member = found
    if revoked_at is not None or (expires_at is not None and expires_at <= now):
        return None
    return TokenOwner(member=member, token_id=token_id, last_used_at=last_used_at)


async def revoke_tokens(session: AsyncSession, member_id: int) -> int:
    """Revoke every live API token of the member (a password reset, an admin ending
    their sessions); how many. Tokens never expire on their own, so a leaked one
    would otherwise outlive every other way in. A suspension leaves them: a suspended
    member's token reaches only their own status (every route with case content or a
    moderator's power requires a verified member), and a register suspension is
    lifted by a later import."""
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.member_id == member_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def mark_token_used(session: AsyncSession, token_id: int, *, now: datetime) -> None:
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


async def set_locale(session: AsyncSession, member_id: int, locale: str | None) -> Member:
    member = await session.get_one(Member, member_id)
    member.locale = locale
    return member
