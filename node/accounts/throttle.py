"""Login throttling, in memory per node process.

Failed sign-in attempts are counted per account and per client address in a sliding
window; past the limit, further attempts wait (429) until the oldest failure in the
window ages out. Nothing here is persisted: client addresses are personal data the
node has no need to keep, and a restart forgetting the counts costs an attacker's
guesses nothing worth having (the window is minutes long).

Several node processes on one database each count separately, so the effective
limit there is per process; the per-account limit still caps guesses per window.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# Bound the memory a flood of distinct addresses or emails can take.
MAX_KEYS = 100_000


def account_key(email: str) -> str:
    # Hashed so the table never holds the address itself, even in memory dumps.
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def member_key(member_id: int) -> str:
    return f"member:{member_id}"


def address_key(remote: str | None) -> str:
    return f"address:{remote or 'unknown'}"


def signup_key(remote: str | None) -> str:
    """Sign-ups per client address: a count of their own, not failed sign-ins."""
    return f"signup:{remote or 'unknown'}"


@dataclass(frozen=True)
class Limit:
    key: str
    failures: int


@dataclass
class LoginThrottle:
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, limits: list[Limit], window: float) -> float | None:
        """Seconds until another attempt is allowed, or None if it is allowed now."""
        now = self.clock()
        waits = []
        for limit in limits:
            recent = self._failures.get(limit.key)
            if recent is None:
                continue
            _expire(recent, now, window)
            if len(recent) >= limit.failures:
                # The attempt that would bring the count back under the limit.
                waits.append(recent[len(recent) - limit.failures] + window - now)
        return max(waits) if waits else None

    def failed(self, keys: list[str], window: float) -> None:
        now = self.clock()
        for key in keys:
            entries = self._failures.setdefault(key, deque())
            _expire(entries, now, window)
            entries.append(now)
        if len(self._failures) > MAX_KEYS:
            self._prune(now, window)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)

    def withdraw(self, keys: list[str]) -> None:
        """Take back the latest count of each key (an attempt that succeeded)."""
        for key in keys:
            entries = self._failures.get(key)
            if entries:
                entries.pop()

    def _prune(self, now: float, window: float) -> None:
        for key in [k for k, v in self._failures.items() if not v or v[-1] <= now - window]:
            del self._failures[key]
        while len(self._failures) > MAX_KEYS:  # still flooded: forget the oldest keys
            del self._failures[next(iter(self._failures))]


def _expire(entries: deque[float], now: float, window: float) -> None:
    while entries and entries[0] <= now - window:
        entries.popleft()
