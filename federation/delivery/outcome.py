"""What a peer's answer means for the delivery of one activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import Enum

# 4xx answers that are about the moment, not the activity: the peer does not know
# our key yet (401: it has not added us, or it is refetching our rotated key),
# timed out reading (408), or asks us to slow down (429).
RETRYABLE_CLIENT_ERRORS = frozenset({401, 408, 429})


class Verdict(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # try the same activity again later; keep the order
    PERMANENT = "permanent"  # the peer will never accept this one; move on


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    status: int | None = None
    retry_after: timedelta | None = None
    error: str | None = None


def judge(
    status: int, retry_after_header: str | None = None, *, now: datetime | None = None
) -> Outcome:
    retry_after = parse_retry_after(retry_after_header, now=now)
    if 200 <= status < 300:
        return Outcome(Verdict.DELIVERED, status)
    if 400 <= status < 500 and status not in RETRYABLE_CLIENT_ERRORS:
        return Outcome(Verdict.PERMANENT, status, error=f"HTTP {status}")
    # 3xx (we never follow redirects for signed POSTs), 401/408/429 and 5xx.
    return Outcome(Verdict.RETRY, status, retry_after=retry_after, error=f"HTTP {status}")


def network_failure(error: str) -> Outcome:
    return Outcome(Verdict.RETRY, None, error=error)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> timedelta | None:
    """``Retry-After`` as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - (now or datetime.now(UTC)))
