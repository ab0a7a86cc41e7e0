"""Dates, numbers and relative times in the reader's language, through babel."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal, format_percent


# babel's format functions parse a language code into a Locale on every call (CLDR
# look-ups and a file-existence check each time): a case page makes hundreds of these
# calls, so the Locale of each language is parsed once. Locale objects are never
# changed after parsing, so sharing them between requests and nodes is safe. The
# bound only matters if a caller ever passes a code outside the UI's 14 languages.
@lru_cache(maxsize=64)
def babel_locale(language: str) -> Locale:
    return Locale.parse(language)


def datetime_text(moment: datetime, language: str, *, fmt: str = "medium") -> str:
    return format_datetime(moment, format=fmt, locale=babel_locale(language), tzinfo=UTC)


def date_text(moment: datetime, language: str, *, fmt: str = "medium") -> str:
    return format_date(moment, format=fmt, locale=babel_locale(language))


# CLDR's Hebrew singular and dual forms name the count in words and then repeat it as
# a digit in brackets ("בעוד שבוע (1)": "in a week (1)"), which reads as a glitch.
_COUNT_IN_BRACKETS = re.compile(r"\s*\(\d+\)")


def time_ago(moment: datetime, language: str, *, now: datetime | None = None) -> str:
    """ "3 hours ago" / "vor 3 Stunden" / "לפני 3 שעות"."""
    delta = moment - (now or datetime.now(UTC))
    text = format_timedelta(
        delta, add_direction=True, locale=babel_locale(language), threshold=0.95
    )
    return _COUNT_IN_BRACKETS.sub("", text)


def number_text(value: float, language: str) -> str:
    return format_decimal(value, locale=babel_locale(language))


def percent_text(value: float, language: str) -> str:
    return format_percent(value, locale=babel_locale(language))
