"""Changing a password (knowing the current one) and resetting it by email.

Both sign out the member's other sessions: whoever may have learnt the old password
loses the sessions they opened with it. A reset signs out every session, and also
confirms the email address (following the mailed link proves the member reads it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from node.accounts.crypto import token_hash
from node.accounts.mails import reset_mail
from node.accounts.models import TokenPurpose
from node.accounts.signup import mark_confirmed
from node.accounts.tokens import check_link, issue_link, links_sent_since, use_link
from node.audit.service import record
from node.db.types import utcnow
from node.mail.sender import Mail
from node.members.models import Member
from node.members.passwords import (
    check_password_policy,
    hash_password_off_loop,
    verify_password_off_loop,
)
from node.members.service import find_member_by_email, revoke_tokens
from node.state import NodeState
from node.web.models import WebSession
from node.web.sessions import end_all_sessions

RESETS_PER_HOUR = 3


class WrongPassword(ValueError):
    pass


async def end_other_sessions(session: AsyncSession, member_id: int, keep_token: str | None) -> int:
    """End every live session of the member except the one with ``keep_token``."""
    if keep_token is None:
        return await end_all_sessions(session, member_id)
    result = await session.execute(
        update(WebSession)
        .where(
            WebSession.member_id == member_id,
            WebSession.revoked_at.is_(None),
            # The same SHA-256 node.web.sessions stores for a session token.
            WebSession.token_hash != token_hash(keep_token),
        )
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def change_password(
    state: NodeState, member_id: int, current: str, new: str, *, keep_token: str | None
) -> None:
    """Raises WrongPassword, or ValueError when ``new`` breaks the password policy."""
    async with state.db.read() as session:
        member = await session.get_one(Member, member_id)
        old_hash = member.password_hash
    if old_hash is None or not await verify_password_off_loop(old_hash, current):
        raise WrongPassword("the current password is not right")
    check_password_policy(new)
    new_hash = await hash_password_off_loop(new)  # outside the write: argon2 is slow
    async with state.db.write() as session:
        member = await session.get_one(Member, member_id)
        member.password_hash = new_hash
        ended = await end_other_sessions(session, member_id, keep_token)
        subject = f"member:{member.public_id}"
        record(
            session,
            actor=subject,
            action="account.password.change",
            subject=subject,
            details={"sessions_ended": ended},
        )


async def request_reset(state: NodeState, email: str, *, now: datetime) -> list[Mail]:
    """The reset mail to send, if the address has an account (and has not asked too often)."""
    minutes = state.config.password_reset_minutes
    async with state.db.write() as session:
        member = await find_member_by_email(session, email) if email else None
        if member is None:
            return []
        sent = await links_sent_since(
            session, member.id, TokenPurpose.RESET_PASSWORD, now - timedelta(hours=1)
        )
        if sent >= RESETS_PER_HOUR:
            return []
        token = await issue_link(
            session,
            member,
            TokenPurpose.RESET_PASSWORD,
            now=now,
            lifetime=timedelta(minutes=minutes),
        )
    return [
        reset_mail(
            state,
            to=member.email,
            name=member.name,
            locale=member.locale,
            token=token,
            minutes=minutes,
        )
    ]


async def check_reset_link(state: NodeState, token: str, *, now: datetime) -> Member:
    """The member whose link it is; raises tokens.LinkRefused unless it can be used."""
    async with state.db.read() as session:
        return (await check_link(session, token, TokenPurpose.RESET_PASSWORD, now=now)).member


async def reset_password(state: NodeState, token: str, new: str, *, now: datetime) -> Member:
    """Set the new password and end every session; raises LinkRefused or ValueError."""
    check_password_policy(new)
    new_hash = await hash_password_off_loop(new)
    async with state.db.write() as session:
        member = await use_link(session, token, TokenPurpose.RESET_PASSWORD, now=now)
        member.password_hash = new_hash
        ended = await end_all_sessions(session, member.id)
        revoked = await revoke_tokens(session, member.id)
        await mark_confirmed(session, member, now=now)
        subject = f"member:{member.public_id}"
        record(
            session,
            actor=subject,
            action="account.password.reset",
            subject=subject,
            details={"sessions_ended": ended, "tokens_revoked": revoked},
        )
    return member
