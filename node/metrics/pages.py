"""The metrics page, ``/metrics``: the figures as a table and two SVG bar charts
(cases per week; time to the first reply), each with a data table beside it."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web
from babel.dates import format_skeleton
from babel.units import format_unit
from pydantic import ValidationError

from i18n.formatting import number_text, percent_text
from i18n.translate import N_, current_language, gettext
from node.metrics.charts import Chart, stacked_bars
from node.metrics.schemas import DEFAULT_DAYS, Figures, Metrics, MetricsQuery, ScopeFigures
from node.metrics.service import current_metrics
from node.state import NODE
from node.web.context import verified_page_member
from node.web.templating import render

routes = web.RouteTableDef()

PERIOD_CHOICES = (7, 30, 90, 365)

# (figure, label, how to write it)
ROWS = (
    ("cases", N_("Cases posted"), "count"),
    ("views", N_("Views"), "count"),
    ("replies", N_("Replies"), "count"),
    ("answered", N_("Cases with a reply from a colleague"), "count"),
    ("median_first_reply_seconds", N_("Median time to the first reply"), "duration"),
    ("resolved", N_("Cases resolved"), "count"),
    ("median_resolution_seconds", N_("Median time to resolution"), "duration"),
    ("share_resolved", N_("Share of cases resolved"), "share"),
    ("share_found_what_needed", N_("Share of authors who found what they needed"), "share"),
)


def duration_text(seconds: float) -> str:
    """Minutes under an hour, hours under two days, else days ("1.5 hours")."""
    language = current_language()
    if seconds < 3600:
        value, unit = seconds / 60, "duration-minute"
    elif seconds < 48 * 3600:
        value, unit = seconds / 3600, "duration-hour"
    else:
        value, unit = seconds / 86400, "duration-day"
    return str(format_unit(round(value, 1), unit, locale=language, format="#,##0.#"))


def cell(value: float | None, kind: str) -> str:
    if value is None:
        return gettext("no data")
    if kind == "duration":
        return duration_text(value)
    if kind == "share":
        return percent_text(value, current_language())
    return number_text(value, current_language())


def figure_rows(metrics: Metrics) -> list[dict[str, Any]]:
    columns: list[Figures] = [
        metrics.node.period,
        metrics.network.period,
        metrics.node.overall,
        metrics.network.overall,
    ]
    return [
        {"label": gettext(label), "cells": [cell(getattr(f, key), kind) for f in columns]}
        for key, label, kind in ROWS
    ]


def _week_label(day: date) -> str:
    return str(format_skeleton("MMMd", day, locale=current_language()))


def weekly_chart(node: ScopeFigures, network: ScopeFigures) -> tuple[Chart, list[list[Any]]]:
    """Cases per seven days: those posted here, stacked under those from peers."""
    weeks = network.period.weekly
    here = [week.cases for week in node.period.weekly]
    peers = [week.cases - mine for week, mine in zip(weeks, here, strict=True)]
    labels = [_week_label(week.starts) for week in weeks]
    rows = [
        [label, here[i], peers[i], weeks[i].cases, weeks[i].replies]
        for i, label in enumerate(labels)
    ]
    return stacked_bars(labels, [here, peers]), rows


def _bucket_label(bound: int | None, previous: int | None) -> str:
    def short(seconds: int) -> str:
        if seconds < 3600:
            value, unit = seconds // 60, "duration-minute"
        elif seconds < 86400:
            value, unit = seconds // 3600, "duration-hour"
        else:
            value, unit = seconds // 86400, "duration-day"
        return str(format_unit(value, unit, length="short", locale=current_language()))

    if bound is None:
        return gettext("over %(time)s", time=short(previous or 0))
    return gettext("up to %(time)s", time=short(bound))


def reply_time_chart(node: ScopeFigures, network: ScopeFigures) -> tuple[Chart, list[list[Any]]]:
    """Answered cases of the period by time to the first reply, here and from peers."""
    buckets = network.period.first_reply_times
    here = [bucket.cases for bucket in node.period.first_reply_times]
    peers = [bucket.cases - mine for bucket, mine in zip(buckets, here, strict=True)]
    labels = []
    previous = None
    for bucket in buckets:
        labels.append(_bucket_label(bucket.up_to_seconds, previous))
        previous = bucket.up_to_seconds
    rows = [[label, here[i], peers[i], buckets[i].cases] for i, label in enumerate(labels)]
    return stacked_bars(labels, [here, peers]), rows


def _days(request: web.Request) -> tuple[int, bool]:
    """The chosen period, and whether a bad value was replaced by the default."""
    try:
        return MetricsQuery.model_validate(dict(request.query)).days, False
    except ValidationError:
        return DEFAULT_DAYS, True


@routes.get("/metrics")
async def metrics_page(request: web.Request) -> web.Response:
    verified_page_member(request)
    days, ignored = _days(request)
    metrics = await current_metrics(request.app[NODE], days)
    weekly, weekly_rows = weekly_chart(metrics.node, metrics.network)
    waits, wait_rows = reply_time_chart(metrics.node, metrics.network)
    choices = sorted({*PERIOD_CHOICES, days})
    return render(
        request,
        "metrics/metrics.html",
        {
            "metrics": metrics,
            "days": days,
            "choices": choices,
            "ignored": ignored,
            "rows": figure_rows(metrics),
            "weekly": weekly,
            "weekly_rows": weekly_rows,
            "waits": waits,
            "wait_rows": wait_rows,
            "unanswered": metrics.network.period.unanswered,
        },
    )
