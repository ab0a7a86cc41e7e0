"""Finding members for the admins' member pages (by name, email or public id)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from node.members.models import Member


async def find_members(
    session: AsyncSession, text: str, *, status: str | None = None, limit: int = 50
) -> list[Member]:
    """Members whose name or email contains ``text`` (any case), or whose public id is
    ``text``; the newest first. An empty ``text`` lists the newest members."""
    query = select(Member)
    needle = text.strip().lower()
    if needle:
        query = query.where(
            or_(
                Member.public_id == text.strip(),
                func.lower(Member.name).contains(needle, autoescape=True),
                func.lower(Member.email).contains(needle, autoescape=True),
            )
        )
    if status:
        query = query.where(Member.status == status)
    return list(await session.scalars(query.order_by(Member.id.desc()).limit(limit)))


async def member_by_public_id(session: AsyncSession, public_id: str) -> Member | None:
    return await session.scalar(select(Member).where(Member.public_id == public_id))
