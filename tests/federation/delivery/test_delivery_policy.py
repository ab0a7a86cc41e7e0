"""The retry schedule and how peer answers are judged."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from federation.delivery.outcome import Verdict, judge, parse_retry_after
from federation.delivery.policy import RetryPolicy
from federation.origin import OriginError, origin_of, same_origin


def test_backoff_doubles_with_bounded_jitter_and_a_cap() -> None:
    policy = RetryPolicy()
    rng = random.Random(7)
    for failures, nominal in [
        (1, 10),
        (2, 20),
        (3, 40),
        (6, 320),
        (12, 20480),
        (40, 21600),
    ]:
        expected = min(nominal, 21600)
        delay = policy.delay(failures, rng).total_seconds()
        assert expected * 0.75 <= delay <= expected * 1.25, (failures, delay)
    assert policy.delay(0) == timedelta(0)


def test_jitter_spreads_retries() -> None:
    policy = RetryPolicy()
    delays = {policy.delay(5, random.Random(seed)) for seed in range(20)}
    assert len(delays) > 15


def test_retry_after_wins_when_longer_and_is_capped() -> None:
    policy = RetryPolicy()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert policy.next_attempt(now, 1, timedelta(hours=1), random.Random(1)) == now + timedelta(
        hours=1
    )
    assert policy.next_attempt(now, 1, timedelta(days=9), random.Random(1)) == now + timedelta(
        hours=24
    )
    assert policy.next_attempt(now, 1, timedelta(seconds=1), random.Random(1)) - now >= timedelta(
        seconds=7
    )


def test_unreachable_after_three_days() -> None:
    policy = RetryPolicy()
    now = datetime(2026, 1, 10, tzinfo=UTC)
    assert not policy.is_unreachable(None, now)
    assert not policy.is_unreachable(now - timedelta(days=2, hours=23), now)
    assert policy.is_unreachable(now - timedelta(days=3), now)


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, Verdict.DELIVERED),
        (202, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (400, Verdict.PERMANENT),
        (403, Verdict.PERMANENT),
        (404, Verdict.PERMANENT),
        (410, Verdict.PERMANENT),
        (413, Verdict.PERMANENT),
        (422, Verdict.PERMANENT),
        (401, Verdict.RETRY),
        (408, Verdict.RETRY),
        (429, Verdict.RETRY),
        (500, Verdict.RETRY),
        (502, Verdict.RETRY),
        (503, Verdict.RETRY),
        (301, Verdict.RETRY),
    ],
)
def test_judging_statuses(status: int, verdict: Verdict) -> None:
    assert judge(status).verdict is verdict


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == timedelta(seconds=120)
    assert parse_retry_after("Thu, 01 Jan 2026 12:05:00 GMT", now=now) == timedelta(minutes=5)
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == timedelta(0)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert judge(429, "30").retry_after == timedelta(seconds=30)


@pytest.mark.parametrize(
    ("iri", "origin"),
    [
        ("https://De.Example/x", "https://de.example"),
        ("https://de.example:443/x", "https://de.example"),
        ("http://127.0.0.1:8101/a?b", "http://127.0.0.1:8101"),
        ("https://[::1]:8443/", "https://[::1]:8443"),
    ],
)
def test_origins(iri: str, origin: str) -> None:
    assert origin_of(iri) == origin


@pytest.mark.parametrize(
    "iri",
    [
        "ftp://x.org/",
        "https:///nohost",
        "https://us.example@evil.example/",
        "not a url",
        "https://x:99999/",
    ],
)
def test_bad_origins(iri: str) -> None:
    with pytest.raises(OriginError):
        origin_of(iri)
    assert not same_origin(iri, "https://evil.example")


@pytest.mark.parametrize(
    "value", [None, 42, {"id": "https://de.example/x"}, ["https://de.example"]]
)
def test_a_value_that_is_not_text_has_no_origin(value: object) -> None:
    # A peer's JSON may hold an object or a list where an IRI belongs; origins are
    # kept in a cache keyed by the text, which must not fail on those either.
    with pytest.raises(OriginError):
        origin_of(value)  # type: ignore[arg-type]
    assert not same_origin(value, "https://de.example")  # type: ignore[arg-type]


def test_a_refused_iri_is_refused_every_time() -> None:
    # Origins are cached; a refusal must not be (nor turn into an answer).
    for _ in range(3):
        with pytest.raises(OriginError):
            origin_of("https://us.example@evil.example/")


def test_long_iris_are_parsed_but_not_kept() -> None:
    from federation.origin import CACHED_LENGTH, _cached_origin

    before = _cached_origin.cache_info().currsize
    long_iri = "https://de.example/" + "x" * CACHED_LENGTH
    assert origin_of(long_iri) == "https://de.example"
    assert _cached_origin.cache_info().currsize == before, "a long IRI pins no memory"
