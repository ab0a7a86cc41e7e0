"""Search on SQLite: the FTS5 tables ``search_cases`` and ``search_replies``.

Both are external-content tables over ``cases`` and ``replies`` (their rowid is the
row's id), tokenised with unicode61 and diacritics removed. ``bm25()`` is smaller for
better matches, so scores here are its negation: larger is better, as on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    bindparam,
    desc,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import column

from node.cases.models import Case, Reply
from node.search.marks import END, START, CaseExcerpt, ReplyExcerpt, has_match
from node.search.terms import Term, fts5_match

SEARCH_CASES = table("search_cases", column("rowid", Integer))
SEARCH_REPLIES = table("search_replies", column("rowid", Integer))
# bm25 weights of the case columns, in table order: title, body (history), question.
CASE_WEIGHTS = (10.0, 1.0, 4.0)
# A reply's hit counts half as much as the same hit in the case's own text.
REPLY_WEIGHT = 0.5
EXCERPT_TOKENS = 28


def _matches(fts_table: str) -> ColumnElement[bool]:
    return literal_column(fts_table).op("MATCH")(bindparam("match"))


def _bm25(fts_table: str, *weights: float) -> ColumnElement[float]:
    return func.bm25(literal_column(fts_table), *weights)


def _newest(fts_table: str, rank: ColumnElement[float] | None, window: int) -> Subquery:
    """The newest ``window`` matches of one index with their scores (larger is better;
    0 for all when ``rank`` is None).

    FTS5 walks a term's rows in rowid order and stops at the limit, computing bm25()
    only for the rows it returns; ordering by rank instead would score every match.
    """
    fts = table(fts_table, column("rowid", Integer))
    score = -rank if rank is not None else literal(0.0)
    return (
        select(fts.c.rowid.label("rowid"), score.label("score"))
        .select_from(fts)
        .where(_matches(fts_table))
        .order_by(fts.c.rowid.desc())
        .limit(window)
        .subquery()
    )


def newest_reply_match(terms: tuple[Term, ...], offset: int) -> Select[int]:
    """The rowid of the (offset + 1)th newest matching reply: how broad a query is."""
    fts = table("search_replies", column("rowid", Integer))
    return (
        select(fts.c.rowid)
        .select_from(fts)
        .where(_matches("search_replies"))
        .order_by(fts.c.rowid.desc())
        .offset(offset)
        .limit(1)
        .params(match=fts5_match(terms))
    )


def ranked(
    terms: tuple[Term, ...],
    conditions: Sequence[ColumnElement[bool]],
    *,
    candidates: int,
    window: int,
    broad: bool,
) -> Select[tuple[int, float]]:
    """case_id and score of matching cases, best first (add offset and limit).

    ``broad``: the words are in most documents, where bm25 ranks next to nothing and
    its document-frequency pass alone costs tens of milliseconds: newest first.
    """
    case_rank = None if broad else _bm25("search_cases", *CASE_WEIGHTS)
    case_matches = _newest("search_cases", case_rank, window)
    case_hits = (
        select(Case.id.label("case_id"), case_matches.c.score)
        .join(Case, Case.id == case_matches.c.rowid)
        .where(*conditions)
        .order_by(case_matches.c.score.desc(), case_matches.c.rowid.desc())
        .limit(candidates)
        .subquery()
    )
    reply_rank = None if broad else _bm25("search_replies")
    reply_matches = _newest("search_replies", reply_rank, window)
    reply_hits = (
        select(
            Reply.case_id.label("case_id"), (reply_matches.c.score * REPLY_WEIGHT).label("score")
        )
        .join(Reply, Reply.id == reply_matches.c.rowid)
        .join(Case, Case.id == Reply.case_id)
        .where(Reply.hidden_at.is_(None), *conditions)
        .order_by(reply_matches.c.score.desc(), reply_matches.c.rowid.desc())
        .limit(candidates)
        .subquery()
    )
    hits = union_all(select(case_hits), select(reply_hits)).subquery()
    score = func.max(hits.c.score).label("score")
    return (
        select(hits.c.case_id, score)
        .group_by(hits.c.case_id)
        .order_by(desc(score), desc(hits.c.case_id))
        .params(match=fts5_match(terms))
    )


async def case_excerpts(
    session: AsyncSession, terms: tuple[Term, ...], case_ids: Sequence[int]
) -> dict[int, CaseExcerpt]:
    """Marked title and passage of each listed case whose own text matches."""
    if not case_ids:
        return {}
    cases: ColumnElement[str] = literal_column("search_cases")
    statement = (
        select(
            SEARCH_CASES.c.rowid,
            func.highlight(cases, 0, START, END).label("title"),
            func.snippet(cases, 2, START, END, "…", EXCERPT_TOKENS).label("question"),
            func.snippet(cases, 1, START, END, "…", EXCERPT_TOKENS).label("body"),
        )
        .where(_matches("search_cases"), SEARCH_CASES.c.rowid.in_(case_ids))
        .params(match=fts5_match(terms))
    )
    excerpts = {}
    for row in await session.execute(statement):
        passage = row.question if has_match(row.question) else row.body
        excerpts[row.rowid] = CaseExcerpt(title=row.title, passage=passage)
    return excerpts


async def reply_excerpts(
    session: AsyncSession, terms: tuple[Term, ...], case_ids: Sequence[int]
) -> list[ReplyExcerpt]:
    """The matching replies of the listed cases, in thread order."""
    if not case_ids:
        return []
    # rowid IN (...) lets FTS5 look each reply up rather than walk every match; the
    # alias keeps that list from being correlated with the outer query's replies.
    thread = aliased(Reply)
    wanted = (
        select(thread.id)
        .where(thread.case_id.in_(case_ids), thread.hidden_at.is_(None))
        .correlate(None)
    )
    statement = (
        select(
            Reply.id,
            Reply.case_id,
            func.snippet(
                literal_column("search_replies"), 0, START, END, "…", EXCERPT_TOKENS
            ).label("passage"),
        )
        .select_from(SEARCH_REPLIES)
        .join(Reply, Reply.id == SEARCH_REPLIES.c.rowid)
        .where(_matches("search_replies"), SEARCH_REPLIES.c.rowid.in_(wanted))
        .order_by(Reply.case_id, Reply.position.is_(None), Reply.position, Reply.id)
        .params(match=fts5_match(terms))
    )
    return [
        ReplyExcerpt(reply_id=row.id, case_id=row.case_id, passage=row.passage)
        for row in await session.execute(statement)
    ]
