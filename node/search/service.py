"""Searching: ranked cases with their highlighted excerpts and best matching replies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from node.cases.models import Case, Reply
from node.cases.replies import reply_author
from node.cases.service import case_out, listed_cases
from node.polls.service import polls_out
from node.search import fts5, tsearch
from node.search.marks import CaseExcerpt, ReplyExcerpt, opening, segments
from node.search.query import Filters, is_sqlite, ranked_page
from node.search.schemas import ReplyMatch, SearchHit, SearchQuery, SearchResults, Segment
from node.search.terms import Term, parse

REPLIES_PER_CASE = 3


def filters_of(query: SearchQuery) -> Filters:
    return Filters(
        specialty=query.specialty,
        status=query.status,
        language=query.language,
        country=query.country,
    )


def _segments(marked: str) -> list[Segment]:
    return [Segment(text=text, match=match) for text, match in segments(marked)]


async def search(
    session: AsyncSession, query: SearchQuery, *, polls_for: int | None = None
) -> SearchResults:
    """A page of results; with ``polls_for`` (a member id) each case carries its poll as
    that member sees it (the API; the search page shows none)."""
    terms = parse(query.q)
    hits, next_cursor = await ranked_page(
        session, terms, filters_of(query), cursor=query.cursor, limit=query.limit
    )
    ids = [hit.case_id for hit in hits]
    listed = await listed_cases(session, select(Case).where(Case.id.in_(ids)))
    cases = {case.id: case for case in listed}
    polls = await polls_out(session, ids, polls_for) if polls_for is not None else {}
    excerpts, reply_hits = await _excerpts(session, terms, ids)
    by_case: dict[int, list[ReplyExcerpt]] = defaultdict(list)
    for reply_hit in reply_hits:
        by_case[reply_hit.case_id].append(reply_hit)
    shown = [r.reply_id for found in by_case.values() for r in found[:REPLIES_PER_CASE]]
    replies = {r.id: r for r in await session.scalars(select(Reply).where(Reply.id.in_(shown)))}
    items = []
    for hit in hits:
        case = cases.get(hit.case_id)
        if case is None:  # deleted between the two queries
            continue
        excerpt = excerpts.get(case.id, CaseExcerpt(title=None, passage=None))
        items.append(
            SearchHit(
                case=case_out(case).model_copy(update={"poll": polls.get(case.id)}),
                score=round(hit.score, 6),
                title=_segments(excerpt.title or case.title),
                excerpt=_segments(excerpt.passage or opening(case.question)),
                replies=[
                    _reply_match(replies[found.reply_id], found)
                    for found in by_case[case.id][:REPLIES_PER_CASE]
                    if found.reply_id in replies
                ],
                matching_replies=len(by_case[case.id]),
            )
        )
    return SearchResults(items=items, terms=[term.text for term in terms], next=next_cursor)


def _reply_match(reply: Reply, found: ReplyExcerpt) -> ReplyMatch:
    return ReplyMatch(
        local_id=reply.local_id,
        created_at=reply.created_at,
        author=reply_author(reply),
        excerpt=_segments(found.passage),
    )


async def _excerpts(
    session: AsyncSession, terms: tuple[Term, ...], case_ids: Sequence[int]
) -> tuple[dict[int, CaseExcerpt], list[ReplyExcerpt]]:
    dialect = fts5 if is_sqlite(session) else tsearch
    return (
        await dialect.case_excerpts(session, terms, case_ids),
        await dialect.reply_excerpts(session, terms, case_ids),
    )
