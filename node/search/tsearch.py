"""Search on PostgreSQL: ``tsvector`` tables ``search_cases`` and ``search_replies``.

Each row's document was built with the text search configuration of its case's
language (``curbside_search_config``), so "Niere" in a German case is stored as the
stem ``nier``. A member's query may be in any language, so it is parsed with every
configuration in use and the results ORed: (all terms, German stems) | (all terms,
English stems) | ... The GIN index serves that one combined query.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    Subquery,
    TableClause,
    Text,
    bindparam,
    cast,
    desc,
    func,
    literal,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY, TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import column

from node.cases.models import Case, Reply
from node.search.marks import END, START, CaseExcerpt, ReplyExcerpt, has_match
from node.search.tables import LANGUAGE_CONFIGS
from node.search.terms import Term

SEARCH_CASES = table(
    "search_cases",
    column("case_id", Integer),
    column("config", REGCONFIG),
    column("document", TSVECTOR),
)
SEARCH_REPLIES = table(
    "search_replies",
    column("reply_id", Integer),
    column("case_id", Integer),
    column("config", REGCONFIG),
    column("document", TSVECTOR),
)
# ts_rank normalisation 1: divide by 1 + log(length), so long histories do not win
# by length alone. Weights: title A, question B, history C, replies D (the defaults
# {0.1, 0.2, 0.4, 1.0} make a reply's hit count a tenth of one in the title).
NORMALISATION = 1
HEADLINE = (
    f"StartSel={START}, StopSel={END}, MaxWords=35, MinWords=15, ShortWord=2, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
TITLE_HEADLINE = f"StartSel={START}, StopSel={END}, HighlightAll=true"


def _languages(language: str | None) -> list[str]:
    """One language per distinct configuration (or the filtered language alone)."""
    if language:
        return [language]
    first: dict[str, str] = {}
    for code, config in LANGUAGE_CONFIGS.items():
        first.setdefault(config, code)
    return list(first.values())


def _term_query(config: ColumnElement[str], term: Term) -> ColumnElement[str]:
    if term.prefix:
        # The word is letters and digits only (terms.py), so quoting it is enough to
        # keep to_tsquery's operators out.
        return func.to_tsquery(config, f"'{term.text}':*", type_=TSQUERY)
    if len(term.words) > 1:
        return func.phraseto_tsquery(config, term.text, type_=TSQUERY)
    return func.plainto_tsquery(config, term.text, type_=TSQUERY)


def _per_language(terms: tuple[Term, ...], language: str | None) -> list[ColumnElement[str]]:
    """The query parsed with each configuration in use (AND of the terms)."""
    per_language = []
    for code in _languages(language):
        config = func.curbside_search_config(literal(code), type_=REGCONFIG)
        parts = [_term_query(config, term) for term in terms]
        per_language.append(reduce(lambda a, b: a.op("&&")(b), parts))
    return per_language


def _combined(terms: tuple[Term, ...], language: str | None) -> ColumnElement[str]:
    return reduce(lambda a, b: a.op("||")(b), _per_language(terms, language))


def tsquery(terms: tuple[Term, ...], language: str | None) -> ScalarSelect[str]:
    """The combined query, computed once per statement (an InitPlan), not per row."""
    return select(_combined(terms, language).label("query")).scalar_subquery()


async def query_text(session: AsyncSession, terms: tuple[Term, ...], language: str | None) -> str:
    """The combined query as tsquery text ("" if every word is a stop word).

    Searches send it back as a parameter rather than computing it inside the
    statement: the planner can then estimate from the column's statistics how many
    rows match, and pick a GIN scan for a rare word but a walk down the primary key
    for a word in most documents.

    Most configurations parse most words alike ("tefuleto" is "tefuleto" in nine of
    them), so the alternatives are deduplicated: the planner adds up the estimate of
    every alternative, and with a dozen copies of one word it took a rare word for a
    common one and walked a million rows; each copy also costs a test per row.
    """
    texts = (
        await session.execute(select(*(cast(q, Text) for q in _per_language(terms, language))))
    ).one()
    alternatives = dict.fromkeys(text_ for text_ in texts if text_)  # ordered, distinct
    return " | ".join(f"( {alternative} )" for alternative in alternatives)


async def prepare(session: AsyncSession) -> None:
    """Plan each search for its own words: a prepared statement's generic plan
    would estimate every query alike."""
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    # A search costs tens of milliseconds, JIT-compiling its plan about thirty more:
    # it never pays for itself here (PostgreSQL turns it on by cost, not by time).
    await session.execute(text("SET LOCAL jit = off"))


def _newest(
    index: TableClause, key: ColumnElement[int], query: BindParameter[str], window: int
) -> Subquery:
    """The newest ``window`` matches of one index (every match of a word that is not in
    most documents): ranking them all for a word in most documents costs seconds."""
    return (
        select(index)
        .where(index.c.document.op("@@")(query))
        .order_by(key.desc())
        .limit(window)
        .subquery()
    )


def newest_reply_match(query_text_: str, offset: int) -> Select[int]:
    """The id of the (offset + 1)th newest matching reply: how broad a query is."""
    query = bindparam("tsquery", query_text_, type_=TSQUERY)
    return (
        select(SEARCH_REPLIES.c.reply_id)
        .where(SEARCH_REPLIES.c.document.op("@@")(query))
        .order_by(SEARCH_REPLIES.c.reply_id.desc())
        .offset(offset)
        .limit(1)
    )


def ranked(
    query_text_: str,
    conditions: Sequence[ColumnElement[bool]],
    *,
    candidates: int,
    window: int,
    broad: bool,
) -> Select[tuple[int, float]]:
    """case_id and score of matching cases, best first (add offset and limit).

    ``broad``: the words are in most documents, where ts_rank tells little and costs
    a read of every candidate's document: newest first (score 0).
    """
    query = bindparam("tsquery", query_text_, type_=TSQUERY)
    cases = _newest(SEARCH_CASES, SEARCH_CASES.c.case_id, query, window)
    case_rank = literal(0.0) if broad else func.ts_rank(cases.c.document, query, NORMALISATION)
    case_hits = (
        select(cases.c.case_id, case_rank.label("score"))
        .join(Case, Case.id == cases.c.case_id)
        .where(*conditions)
        .order_by(desc(case_rank), cases.c.case_id.desc())
        .limit(candidates)
        .subquery()
    )
    replies = _newest(SEARCH_REPLIES, SEARCH_REPLIES.c.reply_id, query, window)
    reply_rank = literal(0.0) if broad else func.ts_rank(replies.c.document, query, NORMALISATION)
    reply_hits = (
        select(replies.c.case_id, reply_rank.label("score"))
        .join(Case, Case.id == replies.c.case_id)
        .join(Reply, Reply.id == replies.c.reply_id)
        .where(Reply.hidden_at.is_(None), *conditions)
        .order_by(desc(reply_rank), replies.c.reply_id.desc())
        .limit(candidates)
        .subquery()
    )
    hits = union_all(select(case_hits), select(reply_hits)).subquery()
    score = func.max(hits.c.score).label("score")
    return (
        select(hits.c.case_id, score)
        .group_by(hits.c.case_id)
        .order_by(desc(score), desc(hits.c.case_id))
    )


async def case_excerpts(
    session: AsyncSession, terms: tuple[Term, ...], case_ids: Sequence[int]
) -> dict[int, CaseExcerpt]:
    """Marked title and passage of each listed case whose own text matches."""
    if not case_ids:
        return {}
    query = tsquery(terms, None)
    config = SEARCH_CASES.c.config
    statement = (
        select(
            SEARCH_CASES.c.case_id,
            func.ts_headline(config, Case.title, query, TITLE_HEADLINE).label("title"),
            func.ts_headline(config, Case.question, query, HEADLINE).label("question"),
            func.ts_headline(config, Case.body, query, HEADLINE).label("body"),
        )
        .join(Case, Case.id == SEARCH_CASES.c.case_id)
        .where(SEARCH_CASES.c.case_id.in_(case_ids), SEARCH_CASES.c.document.op("@@")(query))
    )
    excerpts = {}
    for row in await session.execute(statement):
        passage = row.question if has_match(row.question) else row.body
        excerpts[row.case_id] = CaseExcerpt(title=row.title, passage=passage)
    return excerpts


async def reply_excerpts(
    session: AsyncSession, terms: tuple[Term, ...], case_ids: Sequence[int]
) -> list[ReplyExcerpt]:
    """The matching replies of the listed cases, in thread order."""
    if not case_ids:
        return []
    query = tsquery(terms, None)
    statement = (
        select(
            Reply.id,
            Reply.case_id,
            func.ts_headline(SEARCH_REPLIES.c.config, Reply.content, query, HEADLINE).label(
                "passage"
            ),
        )
        .select_from(SEARCH_REPLIES)
        .join(Reply, Reply.id == SEARCH_REPLIES.c.reply_id)
        .where(
            SEARCH_REPLIES.c.case_id.in_(case_ids),
            SEARCH_REPLIES.c.document.op("@@")(query),
            Reply.hidden_at.is_(None),
        )
        .order_by(Reply.case_id, Reply.position.is_(None), Reply.position, Reply.id)
    )
    return [
        ReplyExcerpt(reply_id=row.id, case_id=row.case_id, passage=row.passage)
        for row in await session.execute(statement)
    ]
