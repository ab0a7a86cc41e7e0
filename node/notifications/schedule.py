"""When digests are due: at ``digest_hour`` (UTC) every day, or weekly on ``digest_weekday``.

A digest period ends at a *slot*; a member is due when the current period started
before the most recent slot. Times are UTC because members keep no time zone; a
node's operator picks the hour that suits the country.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from node.config import WEEKDAYS, NodeConfig
from node.notifications.models import DigestFrequency

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def latest_slot(config: NodeConfig, frequency: DigestFrequency, now: datetime) -> datetime:
    """The most recent send time at or before ``now``."""
    today = now.replace(hour=config.digest_hour, minute=0, second=0, microsecond=0)
    if frequency == DigestFrequency.WEEKLY:
        weekday = WEEKDAYS.index(config.digest_weekday)
        slot = today - timedelta(days=(now.weekday() - weekday) % 7)
        return slot if slot <= now else slot - WEEK
    return today if today <= now else today - DAY


def next_slot(config: NodeConfig, frequency: DigestFrequency, since: datetime) -> datetime:
    """The first send time after ``since``: when a period that began then is due."""
    step = WEEK if frequency == DigestFrequency.WEEKLY else DAY
    return latest_slot(config, frequency, since) + step
