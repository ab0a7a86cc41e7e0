"""A member's active browser sessions, and ending them (by the member or an admin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from node.accounts.crypto import token_hash
from node.accounts.devices import describe_device
from node.audit.service import record
from node.members.models import Member
from node.members.service import revoke_tokens
from node.web.models import WebSession
from node.web.sessions import IDLE_TIMEOUT, end_all_sessions


@dataclass(frozen=True)
class SessionView:
    id: int
    created_at: datetime
    last_seen_at: datetime
    device: str | None
    current: bool


async def active_sessions(
    session: AsyncSession, member_id: int, *, now: datetime, current_token: str | None
) -> list[SessionView]:
    """Live sessions, most recently used first; the same rules as resolving a cookie."""
    current_hash = token_hash(current_token) if current_token else None
    rows = await session.scalars(
        select(WebSession)
        .where(
            WebSession.member_id == member_id,
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
            WebSession.last_seen_at > now - IDLE_TIMEOUT,
        )
        .order_by(WebSession.last_seen_at.desc(), WebSession.id.desc())
    )
    return [
        SessionView(
            id=row.id,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            device=describe_device(row.user_agent),
            current=row.token_hash == current_hash,
        )
        for row in rows
    ]


async def end_session_of(
    session: AsyncSession, member_id: int, session_id: int, *, now: datetime
) -> bool:
    """End one of the member's own sessions; False if it is not theirs or already over."""
    result = await session.execute(
        update(WebSession)
        .where(
            WebSession.id == session_id,
            WebSession.member_id == member_id,
            WebSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def admin_end_sessions(
    session: AsyncSession, admin: Member, target: Member, *, reason: str
) -> int:
    """An admin signs a member out everywhere (a stolen laptop, a compromised account):
    their web sessions end and their API tokens are revoked."""
    ended = await end_all_sessions(session, target.id)
    revoked = await revoke_tokens(session, target.id)
    record(
        session,
        actor=f"member:{admin.public_id}",
        action="account.sessions.end",
        subject=f"member:{target.public_id}",
        reason=reason,
        details={"sessions_ended": ended, "tokens_revoked": revoked},
    )
    return ended
