"""Ranked case ids for a search, on either database.

A case matches if its own text (title, history, question) or one of its replies
matches every term. Its score is its best hit: a hit in the case's own text counts
more than one in a reply, a hit in the title more than one in the history. Filters
(specialty, status, language, country of origin) apply inside each index query, so a
page of results is always full when enough cases match.

A very common word can match most of a big node, and ranking all of that for every
page would cost more than anyone reads. So each index ranks only its newest
``WINDOW`` matches (all of them, for most words) and keeps its best ``CANDIDATES``
before the two are merged: at most the first 50 pages of 20. A query whose words are
in a large share of recent replies ("broad": one in ``BROAD_SHARE`` or more) is not
ranked at all: relevance scores tell nothing there and computing them is the costly
part (bm25's document-frequency pass reads the word's whole posting list), so its
results come newest first, with score 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from node.cases.models import Case, CaseSpecialty, Reply
from node.search import fts5, tsearch
from node.search.terms import Term

CANDIDATES = 1000
WINDOW = 5_000
# A query is "broad" when at least one reply in BROAD_SHARE of the newest matches it:
# the PROBE-th newest matching reply is within PROBE * BROAD_SHARE of the newest reply.
PROBE = 500
BROAD_SHARE = 10


@dataclass(frozen=True)
class Filters:
    specialty: str | None = None
    status: str | None = None
    language: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Hit:
    case_id: int
    score: float


def case_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """Live cases (not deleted, not hidden by a moderator) that pass the filters.
    ``country`` is the country of origin: the author's country, which is the country
    of the node the case was posted on."""
    conditions: list[ColumnElement[bool]] = [Case.deleted_at.is_(None), Case.hidden_at.is_(None)]
    if filters.specialty:
        # Checked per candidate (a search has at most a few thousand): "id IN (...)"
        # would have SQLite collect every case of the specialty first.
        conditions.append(
            exists().where(
                CaseSpecialty.case_id == Case.id, CaseSpecialty.code == filters.specialty
            )
        )
    if filters.status:
        conditions.append(Case.status == filters.status)
    if filters.language:
        conditions.append(Case.language == filters.language)
    if filters.country:
        conditions.append(Case.author_country == filters.country)
    return conditions


def _is_broad(newest: int | None, probe: int | None) -> bool:
    """At least one reply in BROAD_SHARE, among the newest, matches."""
    return newest is not None and probe is not None and newest - probe < PROBE * BROAD_SHARE


def is_sqlite(session: AsyncSession) -> bool:
    return session.bind is None or session.bind.dialect.name == "sqlite"


async def ranked_cases(
    session: AsyncSession,
    terms: tuple[Term, ...],
    filters: Filters,
    *,
    offset: int,
    limit: int,
) -> list[Hit]:
    """Best first, ``limit`` hits from ``offset``; [] when there is nothing to look for."""
    if not terms or offset >= 2 * CANDIDATES:
        return []
    conditions = case_conditions(filters)
    newest = await session.scalar(select(func.max(Reply.id)))
    if is_sqlite(session):
        probe = await session.scalar(fts5.newest_reply_match(terms, PROBE - 1))
        broad = _is_broad(newest, probe)
        statement = fts5.ranked(
            terms, conditions, candidates=CANDIDATES, window=WINDOW, broad=broad
        )
    else:
        query = await tsearch.query_text(session, terms, filters.language)
        if not query:
            return []
        await tsearch.prepare(session)
        probe = await session.scalar(tsearch.newest_reply_match(query, PROBE - 1))
        statement = tsearch.ranked(
            query,
            conditions,
            candidates=CANDIDATES,
            window=WINDOW,
            broad=_is_broad(newest, probe),
        )
    rows = await session.execute(statement.offset(offset).limit(limit))
    return [Hit(case_id=row.case_id, score=float(row.score)) for row in rows]


# A search's pages are ranked, not ordered by time, so its cursor is a position in
# the ranking: "~40" starts at the 41st result. Case local ids never start with "~".
CURSOR_PREFIX = "~"


def cursor_for(offset: int) -> str:
    return f"{CURSOR_PREFIX}{offset}"


def offset_of(cursor: str | None) -> int | None:
    """The position a cursor names; 0 for none, None if it is not a search cursor."""
    if not cursor:
        return 0
    digits = cursor.removeprefix(CURSOR_PREFIX)
    plain = digits.isascii() and digits.isdigit() and len(digits) <= 6
    return int(digits) if cursor.startswith(CURSOR_PREFIX) and plain else None


async def ranked_page(
    session: AsyncSession,
    terms: tuple[Term, ...],
    filters: Filters,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[Hit], str | None]:
    """One page of hits and the cursor of the next page (None on the last one)."""
    offset = offset_of(cursor) or 0
    hits = await ranked_cases(session, terms, filters, offset=offset, limit=limit + 1)
    more = len(hits) > limit
    return hits[:limit], cursor_for(offset + limit) if more else None
