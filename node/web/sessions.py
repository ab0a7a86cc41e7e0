"""Login sessions in encrypted cookies, and CSRF tokens for every form.

The cookie holds a random session token encrypted (Fernet) with a key derived from
the node secret: unreadable and unforgeable without it. The token's hash is a row in
``web_sessions``, so a session can be revoked server-side at any time, and the row
carries its expiry. CSRF tokens are an HMAC of the session token (or, before login,
of a random cookie), checked on every state-changing form submission.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from node.db.types import utcnow
from node.members.models import Member
from node.web.models import WebSession

SESSION_COOKIE = "cs_session"
ANON_COOKIE = "cs_anon"
SESSION_LIFETIME = timedelta(days=14)
IDLE_TIMEOUT = timedelta(days=2)
TOUCH_RESOLUTION = timedelta(minutes=5)


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


@dataclass(frozen=True)
class SessionKeys:
    """Keys derived from the node secret, one per purpose."""

    cookie: Fernet
    csrf: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> SessionKeys:
        cookie_key = base64.urlsafe_b64encode(_derive(secret, b"curbside web session cookie"))
        return cls(cookie=Fernet(cookie_key), csrf=_derive(secret, b"curbside csrf"))

    def seal(self, token: str) -> str:
        return self.cookie.encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str | None:
        try:
            return self.cookie.decrypt(
                sealed.encode(), ttl=int(SESSION_LIFETIME.total_seconds())
            ).decode()
        except (InvalidToken, ValueError):
            return None

    def csrf_token(self, binding: str) -> str:
        return hmac.new(self.csrf, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, binding: str, offered: str) -> bool:
        return hmac.compare_digest(self.csrf_token(binding), offered)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(session: AsyncSession, member: Member, *, user_agent: str) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            token_hash=_hash(token),
            member_id=member.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
            user_agent=user_agent[:200],
        )
    )
    return token


@dataclass(frozen=True)
class ActiveSession:
    id: int
    member: Member
    last_seen_at: datetime

    def needs_touch(self, now: datetime) -> bool:
        return now - self.last_seen_at >= TOUCH_RESOLUTION


async def resolve_session(
    session: AsyncSession, token: str, *, now: datetime
) -> ActiveSession | None:
    row = await session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if now - row.last_seen_at > IDLE_TIMEOUT:
        return None
    member = await session.get(Member, row.member_id)
    if member is None:
        return None
    return ActiveSession(id=row.id, member=member, last_seen_at=row.last_seen_at)


async def touch_session(session: AsyncSession, session_id: int, *, now: datetime) -> None:
    await session.execute(
        update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now)
    )


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(
        update(WebSession).where(WebSession.token_hash == _hash(token)).values(revoked_at=utcnow())
    )


async def end_all_sessions(session: AsyncSession, member_id: int) -> int:
    result = await session.execute(
        update(WebSession)
        .where(WebSession.member_id == member_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
