"""De-identification flags: findings authors confirmed were not identifying, for
moderators to look at and mark reviewed (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from node.admin.links import post_links
from node.audit.service import record
from node.members.models import Member
from node.privacy.models import AcknowledgedFinding


@dataclass(frozen=True, slots=True)
class FlagRow:
    finding: AcknowledgedFinding
    href: str | None  # None: the post is no longer on this node


async def flag_rows(
    session: AsyncSession, *, reviewed: bool, before: int | None, limit: int
) -> list[FlagRow]:
    """Unreviewed (or reviewed) flags, newest first; ``before`` is the last id seen."""
    query = select(AcknowledgedFinding).where(
        AcknowledgedFinding.reviewed_at.is_not(None)
        if reviewed
        else AcknowledgedFinding.reviewed_at.is_(None)
    )
    if before is not None:
        query = query.where(AcknowledgedFinding.id < before)
    findings = list(
        await session.scalars(query.order_by(AcknowledgedFinding.id.desc()).limit(limit))
    )
    links = await post_links(session, {finding.object_iri for finding in findings})
    return [FlagRow(finding, links.get(finding.object_iri)) for finding in findings]


async def mark_reviewed(
    session: AsyncSession, flag_id: int, moderator: Member, *, now: datetime
) -> bool:
    """False if there is no such flag; marking an already reviewed flag changes nothing."""
    finding = await session.get(AcknowledgedFinding, flag_id)
    if finding is None:
        return False
    if finding.reviewed_at is None:
        finding.reviewed_at, finding.reviewed_by = now, moderator.id
        # The finding's text stays out of the log: it may be a detail about a patient.
        record(
            session,
            actor=f"member:{moderator.public_id}",
            action="deid.flag.review",
            subject=finding.object_iri,
            details={"flag": finding.id, "kind": finding.kind},
        )
    return True
