"""Dates, numbers and country names in the reader's language, and the ``|timeago`` filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jinja2
import pytest
from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations

from i18n import formatting
from i18n.jinja import make_environment
from i18n.languages import SUPPORTED_LANGUAGES
from i18n.regions import country_name
from i18n.translate import activate, deactivate, ngettext

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)


@pytest.fixture
def language() -> Iterator[str]:
    token = activate("de", NullTranslations())
    try:
        yield "de"
    finally:
        deactivate(token)


def test_each_language_is_parsed_once_and_shared() -> None:
    first = formatting.babel_locale("he")
    assert first is formatting.babel_locale("he")
    assert isinstance(first, Locale)
    assert str(first) == "he"


@pytest.mark.parametrize("code", SUPPORTED_LANGUAGES)
def test_every_ui_language_formats_relative_times(code: str) -> None:
    text = formatting.time_ago(NOW - timedelta(hours=3), code, now=NOW)
    assert "3" in text


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "3 hours ago"),
        ("de", "vor 3 Stunden"),
        ("he", "לפני 3 שעות"),
        ("fr", "il y a 3 heures"),
    ],
)
def test_relative_time_reads_naturally(code: str, expected: str) -> None:
    assert formatting.time_ago(NOW - timedelta(hours=3), code, now=NOW) == expected


def test_dates_and_numbers_in_the_readers_language() -> None:
    assert formatting.datetime_text(NOW, "de") == "14.03.2026, 15:09:26"
    assert formatting.date_text(NOW, "fr") == "14 mars 2026"
    assert formatting.number_text(12345.5, "de") == "12.345,5"
    assert formatting.number_text(12345.5, "fr") == "12\u202f345,5"
    assert formatting.percent_text(0.25, "en") == "25%"


def test_country_names_in_the_readers_language() -> None:
    assert country_name("DE", "de") == "Deutschland"
    assert country_name("DE", "fr") == "Allemagne"
    assert country_name("QQ", "fr") == "QQ"  # not a territory: the code itself


def test_an_unknown_language_is_refused_not_remembered() -> None:
    with pytest.raises(UnknownLocaleError):
        formatting.babel_locale("xx")
    with pytest.raises(UnknownLocaleError):
        formatting.number_text(1, "xx")


def test_timeago_shows_the_relative_time_with_the_exact_moment(language: str) -> None:
    env = make_environment(jinja2.DictLoader({"t.html": "{{ when | timeago }}"}))
    moment = datetime.now(UTC) - timedelta(days=2, minutes=5)
    html = env.get_template("t.html").render(when=moment)
    assert html == f'<time datetime="{moment.isoformat()}">vor 2 Tagen</time>'


def test_timeago_formats_each_date_once(language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[datetime] = []
    relative = formatting.time_ago

    def counted(moment: datetime, code: str, *, now: datetime | None = None) -> str:
        calls.append(moment)
        return relative(moment, code, now=now)

    def refused(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("|timeago formatted the exact date too")

    monkeypatch.setattr(formatting, "time_ago", counted)
    monkeypatch.setattr(formatting, "datetime_text", refused)
    env = make_environment(jinja2.DictLoader({"t.html": "{{ a | timeago }} {{ b | timeago }}"}))
    a, b = NOW - timedelta(hours=1), NOW - timedelta(days=1)
    env.get_template("t.html").render(a=a, b=b)
    assert calls == [a, b]


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(days=7), "בעוד שבוע"),
        (timedelta(days=14), "בעוד שבועיים"),
        (-timedelta(days=1), "לפני יום אחד"),
        (-timedelta(hours=3), "לפני 3 שעות"),
    ],
)
def test_hebrew_relative_times_do_not_repeat_the_count_in_brackets(
    delta: timedelta, expected: str
) -> None:
    # CLDR writes "בעוד שבוע (1)" ("in a week (1)") for the singular and dual forms.
    assert formatting.time_ago(NOW + delta, "he", now=NOW) == expected


def test_counts_in_translated_messages_are_written_the_languages_way() -> None:
    catalog = NullTranslations()
    token = activate("de", catalog)
    try:
        text = ngettext("at most %(num)s byte", "at most %(num)s bytes", 10485760)
    finally:
        deactivate(token)
    assert text == "at most 10.485.760 bytes"
    assert ngettext("%(num)s image", "%(num)s images", 1) == "1 image"  # outside a request
