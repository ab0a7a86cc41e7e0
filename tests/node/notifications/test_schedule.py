"""When digests fall due (pure functions; no node, no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from node.config import validate
from node.notifications.models import DigestFrequency
from node.notifications.schedule import latest_slot, next_slot

CONFIG = validate(
    Path("/nonexistent"),
    {"domain": "us.example", "country": "US", "digest_hour": 7, "digest_weekday": "wednesday"},
    source="test",
)
DAILY, WEEKLY = DigestFrequency.DAILY, DigestFrequency.WEEKLY


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)  # 2026-03-04 is a Wednesday


def test_daily_slots() -> None:
    assert latest_slot(CONFIG, DAILY, at(10, 6, 59)) == at(9, 7)
    assert latest_slot(CONFIG, DAILY, at(10, 7)) == at(10, 7)
    assert latest_slot(CONFIG, DAILY, at(10, 23)) == at(10, 7)
    # Opting in at 06:00 is due at 07:00 the same day; at 08:00, the next morning.
    assert next_slot(CONFIG, DAILY, at(10, 6)) == at(10, 7)
    assert next_slot(CONFIG, DAILY, at(10, 8)) == at(11, 7)


def test_weekly_slots() -> None:
    assert latest_slot(CONFIG, WEEKLY, at(4, 7)) == at(4, 7)  # Wednesday 07:00
    assert latest_slot(CONFIG, WEEKLY, at(4, 6)) == datetime(2026, 2, 25, 7, tzinfo=UTC)
    assert latest_slot(CONFIG, WEEKLY, at(10, 12)) == at(4, 7)  # the next Tuesday
    assert next_slot(CONFIG, WEEKLY, at(5, 9)) == at(11, 7)
    assert next_slot(CONFIG, WEEKLY, at(4, 6)) == at(4, 7)
