"""Computing the metrics with SQL aggregates, one statement per scope and window.

Everything is read from ``metrics_cases`` (models.py), a narrow per-case copy that
triggers keep, with the time of each case's first reply by someone other than its
author already worked out. A window's cases (the "cohort") are selected once per
statement in a materialised CTE; counts, shares, the two medians and the
first-reply-time buckets are aggregates over it, so a figure set is one pass over
a few dozen bytes per case (the period's cases found through an index on the date).

Scopes: "node" is the cases posted on this node; "network" every case this node
knows (its own and those its peers sent). View totals, resolution and the "found
what they needed" answer of a peer's case are the origin's, as the thread state
carries them; first-reply times use each reply's publication time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    ColumnExpressionArgument,
    Float,
    Select,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from node.db.types import UTCDateTime, utcnow
from node.metrics.models import CaseFigures
from node.metrics.schemas import (
    Figures,
    Metrics,
    Period,
    PeriodFigures,
    ReplyTimeBucket,
    ScopeFigures,
    WeekCount,
)
from node.metrics.sql import median, seconds_between, whole

if TYPE_CHECKING:  # state.py imports the cache, which imports the schemas only
    from node.state import NodeState

WEEK_SECONDS = 7 * 24 * 3600
# Upper bounds of the first-reply-time buckets: 15 min, 1 h, 3 h, 12 h, 1 day, 3 days.
REPLY_TIME_BOUNDS = (15 * 60, 3600, 3 * 3600, 12 * 3600, 24 * 3600, 3 * 24 * 3600)


@dataclass(frozen=True)
class Window:
    since: datetime | None  # None: since the first case
    until: datetime


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def _case_conditions(*, local_only: bool, window: Window) -> list[ColumnElement[bool]]:
    figures = CaseFigures
    conditions: list[ColumnElement[bool]] = [figures.deleted_at.is_(None)]
    if window.since is not None:
        # A period's cases come through the date index; "overall" reads the whole
        # (narrow) table, which is faster than walking that index to its end.
        conditions += [figures.created_at >= window.since, figures.created_at < window.until]
    if local_only:
        conditions.append(figures.is_local.is_(True))
    return conditions


def _cohort(dialect: str, conditions: list[ColumnElement[bool]]) -> CTE:
    """One row per case of the window, with its waits in seconds worked out once."""
    figures = CaseFigures
    # Clocks of different nodes disagree a little: a reply cannot come before its case.
    raw_wait = seconds_between(dialect, figures.first_reply_at, figures.created_at)
    wait = case((raw_wait < 0, 0.0), else_=raw_wait)
    resolution = case(
        (
            figures.resolved.is_(True),
            seconds_between(dialect, figures.resolved_at, figures.created_at),
        )
    )
    return (
        select(
            figures.reply_count,
            figures.views,
            figures.resolved,
            figures.found_what_needed,
            cast(wait, Float).label("wait"),
            cast(resolution, Float).label("resolution"),
        )
        .where(*conditions)
        .cte("cohort")
        .prefix_with("MATERIALIZED")
    )


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _figures_statement(cohort: CTE, *, buckets: bool) -> Select[Any]:
    c = cohort.c
    columns: list[ColumnElement[Any]] = [
        func.count().label("cases"),
        func.coalesce(func.sum(c.views), 0).label("views"),
        func.coalesce(func.sum(c.reply_count), 0).label("replies"),
        func.count(c.wait).label("answered"),
        _count_if(c.resolved.is_(True)).label("resolved"),
        _count_if(c.resolved.is_(True) & c.found_what_needed.is_(True)).label("found"),
        _count_if(c.resolved.is_(True) & c.found_what_needed.is_not(None)).label("asked"),
        median(select(c.wait)).label("median_wait"),
        median(select(c.resolution)).label("median_resolution"),
    ]
    if buckets:
        lower = None
        for index, upper in enumerate(REPLY_TIME_BOUNDS):
            within = c.wait <= upper if lower is None else (c.wait > lower) & (c.wait <= upper)
            columns.append(_count_if(within).label(f"bucket_{index}"))
            lower = upper
        columns.append(_count_if(c.wait > REPLY_TIME_BOUNDS[-1]).label("bucket_last"))
    return select(*columns).select_from(cohort)


def _share(part: int, whole_: int) -> float | None:
    return round(part / whole_, 4) if whole_ else None


def _figures(row: Any) -> dict[str, Any]:
    return {
        "cases": row.cases,
        "views": int(row.views),
        "replies": int(row.replies),
        "answered": row.answered,
        "median_first_reply_seconds": _rounded(row.median_wait),
        "resolved": int(row.resolved),
        "median_resolution_seconds": _rounded(row.median_resolution),
        "share_resolved": _share(int(row.resolved), row.cases),
        "found_what_needed": int(row.found),
        "share_found_what_needed": _share(int(row.found), int(row.asked)),
    }


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds), 1)


async def _weekly(
    session: AsyncSession, dialect: str, conditions: list[ColumnElement[bool]], window: Window
) -> list[WeekCount]:
    assert window.since is not None
    until = literal(window.until, UTCDateTime())

    def span(moment: ColumnExpressionArgument[Any]) -> ColumnElement[int]:
        # Spans count back from now: span 0 is the last seven days.
        return whole(dialect, seconds_between(dialect, until, moment) / WEEK_SECONDS)

    # Cases posted in each span, and the replies those cases have had so far.
    case_span = span(CaseFigures.created_at)
    per_span = (
        select(case_span, func.count(), func.coalesce(func.sum(CaseFigures.reply_count), 0))
        .where(*conditions)
        .group_by(case_span)
    )
    counts = {span_: (n, int(replies)) for span_, n, replies in await session.execute(per_span)}
    count = -(-int((window.until - window.since).total_seconds()) // WEEK_SECONDS)
    weeks = []
    for index in reversed(range(count)):
        starts = max(window.since, window.until - timedelta(seconds=WEEK_SECONDS * (index + 1)))
        weeks.append(
            WeekCount(
                starts=starts.date(),
                cases=counts.get(index, (0, 0))[0],
                replies=counts.get(index, (0, 0))[1],
            )
        )
    return weeks


async def _scope(
    session: AsyncSession, *, local_only: bool, period: Window, overall: Window
) -> ScopeFigures:
    dialect = _dialect(session)
    overall_conditions = _case_conditions(local_only=local_only, window=overall)
    overall_row = (
        await session.execute(
            _figures_statement(_cohort(dialect, overall_conditions), buckets=False)
        )
    ).one()
    period_conditions = _case_conditions(local_only=local_only, window=period)
    period_row = (
        await session.execute(_figures_statement(_cohort(dialect, period_conditions), buckets=True))
    ).one()
    bounds: list[int | None] = [*REPLY_TIME_BOUNDS, None]
    buckets = [
        ReplyTimeBucket(up_to_seconds=bound, cases=int(getattr(period_row, name)))
        for bound, name in zip(
            bounds,
            [*(f"bucket_{i}" for i in range(len(REPLY_TIME_BOUNDS))), "bucket_last"],
            strict=True,
        )
    ]
    return ScopeFigures(
        overall=Figures(**_figures(overall_row)),
        period=PeriodFigures(
            **_figures(period_row),
            weekly=await _weekly(session, dialect, period_conditions, period),
            first_reply_times=buckets,
            unanswered=period_row.cases - period_row.answered,
        ),
    )


async def compute_metrics(
    session: AsyncSession, *, days: int, now: datetime | None = None
) -> Metrics:
    until = now or utcnow()
    since = until - timedelta(days=days)
    period = Window(since=since, until=until)
    overall = Window(since=None, until=until)
    return Metrics(
        period=Period(since=since, until=until, days=days),
        node=await _scope(session, local_only=True, period=period, overall=overall),
        network=await _scope(session, local_only=False, period=period, overall=overall),
    )


async def current_metrics(state: NodeState, days: int) -> Metrics:
    """The figures a viewer sees: computed at most once per ``metrics_max_age_seconds``
    for each period length, whoever asks (cache.py)."""

    async def compute() -> Metrics:
        async with state.db.read_long() as session:
            return await compute_metrics(session, days=days)

    return await state.metrics.get(days, compute, max_age=state.config.metrics_max_age_seconds)
