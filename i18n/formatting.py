"""Dates, numbers and relative times in the reader's language, through babel."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal, format_percent


def datetime_text(moment: datetime, language: str, *, fmt: str = "medium") -> str:
    return format_datetime(moment, format=fmt, locale=language, tzinfo=UTC)


def date_text(moment: datetime, language: str, *, fmt: str = "medium") -> str:
    return format_date(moment, format=fmt, locale=language)


def time_ago(moment: datetime, language: str, *, now: datetime | None = None) -> str:
    """ "3 hours ago" / "vor 3 Stunden" / "לפני 3 שעות"."""
    delta = moment - (now or datetime.now(UTC))
    return format_timedelta(delta, add_direction=True, locale=language, threshold=0.95)


def number_text(value: float, language: str) -> str:
    return format_decimal(value, locale=language)


def percent_text(value: float, language: str) -> str:
    return format_percent(value, locale=language)
