"""One-time links mailed to members: email confirmation and password reset.

The token is random (256 bits) and only its hash is stored; it is good once, until
it expires. Checking a link (to show the form behind it) does not use it up; using
it does, in the same transaction as the change it authorises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from node.accounts.crypto import new_link_token, token_hash
from node.accounts.models import AccountToken, TokenPurpose
from node.members.models import Member


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class LinkRefused(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class ValidLink:
    token_id: int
    member: Member


async def issue_link(
    session: AsyncSession,
    member: Member,
    purpose: TokenPurpose,
    *,
    now: datetime,
    lifetime: timedelta,
) -> str:
    """A new token for ``member``; returned once, to be mailed, never stored."""
    token = new_link_token()
    session.add(
        AccountToken(
            member_id=member.id,
            purpose=purpose.value,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


async def links_sent_since(
    session: AsyncSession, member_id: int, purpose: TokenPurpose, since: datetime
) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(AccountToken)
        .where(
            AccountToken.member_id == member_id,
            AccountToken.purpose == purpose.value,
            AccountToken.created_at > since,
        )
    )
    return int(count or 0)


async def check_link(
    session: AsyncSession, token: str, purpose: TokenPurpose, *, now: datetime
) -> ValidLink:
    """The member a live link belongs to; raises LinkRefused saying why not."""
    if not 20 <= len(token) <= 100:
        raise LinkRefused(LinkProblem.UNKNOWN)
    row = await session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose.value
        )
    )
    if row is None:
        raise LinkRefused(LinkProblem.UNKNOWN)
    if row.used_at is not None:
        raise LinkRefused(LinkProblem.USED)
    if row.expires_at <= now:
        raise LinkRefused(LinkProblem.EXPIRED)
    member = await session.get_one(Member, row.member_id)
    return ValidLink(row.id, member)


async def used_link_member(
    session: AsyncSession, token: str, purpose: TokenPurpose, *, now: datetime
) -> Member | None:
    """The member of a link that was used and has not expired; None otherwise."""
    if not 20 <= len(token) <= 100:
        return None
    row = await session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose.value
        )
    )
    if row is None or row.used_at is None or row.expires_at <= now:
        return None
    return await session.get_one(Member, row.member_id)


async def use_link(
    session: AsyncSession, token: str, purpose: TokenPurpose, *, now: datetime
) -> Member:
    """Check the link and mark it used; every other live link of that purpose for the
    member goes too (an older reset mail must not work after a newer one was used)."""
    link = await check_link(session, token, purpose, now=now)
    # Conditional update: of two concurrent uses, only one finds it unused.
    result = await session.execute(
        update(AccountToken)
        .where(AccountToken.id == link.token_id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkRefused(LinkProblem.USED)
    await session.execute(
        update(AccountToken)
        .where(
            AccountToken.member_id == link.member.id,
            AccountToken.purpose == purpose.value,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return link.member
