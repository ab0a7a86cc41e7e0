"""Reading the audit log: newest first, filtered by action and subject, in pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from node.audit.models import AuditEntry
from node.members.models import Member

MEMBER_PREFIX = "member:"


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntry]
    older: int | None  # pass as ``before`` for the next page


async def audit_page(
    session: AsyncSession,
    *,
    action: str | None,
    subject: str | None,
    before: int | None,
    limit: int,
) -> AuditPage:
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if subject:
        query = query.where(AuditEntry.subject == subject)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = list(await session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    older = rows[limit - 1].id if len(rows) > limit else None
    return AuditPage(rows[:limit], older)


async def audit_actions(session: AsyncSession) -> list[str]:
    """Every action the log holds, for the filter (the action column is indexed)."""
    return list(await session.scalars(select(AuditEntry.action).distinct().order_by("action")))


async def member_names(session: AsyncSession, refs: Iterable[str | None]) -> dict[str, str]:
    """``member:<public_id>`` -> the member's name, for actors and subjects on a page."""
    wanted = {
        ref.removeprefix(MEMBER_PREFIX)
        for ref in refs
        if ref is not None and ref.startswith(MEMBER_PREFIX)
    }
    if not wanted:
        return {}
    rows = await session.execute(
        select(Member.public_id, Member.name).where(Member.public_id.in_(wanted))
    )
    return {MEMBER_PREFIX + public_id: name for public_id, name in rows}
