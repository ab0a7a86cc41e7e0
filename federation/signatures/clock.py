"""The clock window a signature's creation time must fall in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from federation.signatures.errors import MalformedSignature, RejectedSignature


@dataclass(frozen=True)
class ClockWindow:
    """How old, and how far in the future, a signature's creation time may be.

    ``max_age`` bounds replay of a captured request; ``max_future`` tolerates
    a sender whose clock runs ahead of ours.
    """

    max_age: timedelta = timedelta(seconds=300)
    max_future: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        if self.max_age < timedelta(0) or self.max_future < timedelta(0):
            raise ValueError("ClockWindow bounds must not be negative")


DEFAULT_WINDOW = ClockWindow()


def utc_now(now: datetime | None) -> datetime:
    """``now`` if given (it must be timezone-aware), else the current UTC time."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        # A naive datetime would be silently read as local time and shift the
        # window by the machine's UTC offset.
        raise ValueError("now must be a timezone-aware datetime")
    return now


def from_timestamp(seconds: int, what: str) -> datetime:
    """A Unix timestamp from a signature parameter, as an aware datetime."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedSignature(f"{what} is not a usable Unix timestamp") from exc


def check_created(created: datetime, now: datetime, window: ClockWindow, what: str) -> None:
    """Reject a creation time outside ``window`` around ``now``."""
    if created < now - window.max_age:
        raise RejectedSignature(f"signature expired: {what} is older than {window.max_age}")
    if created > now + window.max_future:
        raise RejectedSignature(f"signature {what} is in the future beyond {window.max_future}")


def check_expires(expires: datetime, now: datetime) -> None:
    """Reject a signature whose own ``expires`` time has passed."""
    if expires <= now:
        raise RejectedSignature("signature expired: its expires time has passed")
