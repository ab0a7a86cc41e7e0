"""Reports as moderators read them: the reported text's start and a link to it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from node.admin.links import post_links
from node.cases.models import Case, Reply
from node.members.models import Member
from node.moderation.models import Report

EXCERPT_CHARS = 200


@dataclass(frozen=True, slots=True)
class ReportRow:
    report: Report
    excerpt: str | None  # None: the post is no longer on this node
    href: str | None
    decided_by: str | None  # the moderator's name


async def _excerpts(session: AsyncSession, iris: set[str]) -> dict[str, str]:
    found = {
        iri: title
        for iri, title in await session.execute(
            select(Case.iri, Case.title).where(Case.iri.in_(iris))
        )
    }
    replies = await session.execute(
        select(Reply.iri, Reply.content).where(Reply.iri.in_(iris - found.keys()))
    )
    found.update({iri: content for iri, content in replies})
    return {iri: text[:EXCERPT_CHARS] for iri, text in found.items()}


async def report_rows(
    session: AsyncSession, *, decided: bool, before: int | None, limit: int
) -> list[ReportRow]:
    """Open reports, or decided ones, newest first; ``before`` is the last id seen."""
    query = select(Report).where(Report.state != "open" if decided else Report.state == "open")
    if before is not None:
        query = query.where(Report.id < before)
    reports = list(await session.scalars(query.order_by(Report.id.desc()).limit(limit)))
    iris = {report.object_iri for report in reports}
    excerpts = await _excerpts(session, iris)
    links = await post_links(session, iris)
    deciders = {report.decided_by for report in reports if report.decided_by is not None}
    names: dict[int, str] = {}
    if deciders:
        rows = await session.execute(select(Member.id, Member.name).where(Member.id.in_(deciders)))
        names = {member_id: name for member_id, name in rows}
    return [
        ReportRow(
            report=report,
            excerpt=excerpts.get(report.object_iri),
            href=links.get(report.object_iri),
            decided_by=names.get(report.decided_by) if report.decided_by else None,
        )
        for report in reports
    ]
