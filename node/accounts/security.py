"""Per-member account state: is the email confirmed, is a second factor required."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from node.accounts.models import AccountSecurity
from node.members.models import Member, Role

# Roles that can see and change other members' standing must use a second factor.
TWO_FACTOR_ROLES = frozenset({Role.MODERATOR.value, Role.ADMIN.value})


def requires_two_factor(member: Member) -> bool:
    return member.role in TWO_FACTOR_ROLES


async def security_of(session: AsyncSession, member_id: int) -> AccountSecurity | None:
    return await session.get(AccountSecurity, member_id)


async def ensure_security(session: AsyncSession, member: Member) -> AccountSecurity:
    """The member's row, created for an operator-added member (whose email the
    operator vouched for, hence confirmed since the account was created)."""
    row = await session.get(AccountSecurity, member.id)
    if row is None:
        row = AccountSecurity(member_id=member.id, email_confirmed_at=member.created_at)
        session.add(row)
        await session.flush()
    return row


def email_confirmed(row: AccountSecurity | None) -> bool:
    return row is None or row.email_confirmed_at is not None


def two_factor_enabled(row: AccountSecurity | None) -> bool:
    return row is not None and row.totp_enabled_at is not None and row.totp_secret is not None
