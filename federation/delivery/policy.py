"""When to try again, and when to give up on a peer for a while.

Schedule (``RetryPolicy()`` defaults): after the n-th consecutive failure the next
attempt waits ``min(6 h, 10 s * 2**(n-1))`` scaled by a random factor in
[0.75, 1.25] — so roughly 10 s, 20 s, 40 s, 80 s, 2.7 min, 5.3 min, 11 min, 21 min,
43 min, 1.4 h, 2.8 h, 5.7 h, then every 6 h. Jitter keeps a fleet of nodes that all
lost the same peer from hammering it in lock-step when it comes back. A
``Retry-After`` from the peer is honoured when it asks for longer (capped at 24 h).
After 3 days of failures without a success the peer is marked unreachable; it is
still probed every 6 h, and any request from it makes us try at once, so its
backlog drains in order as soon as it returns.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=6)
    jitter: float = 0.25
    max_retry_after: timedelta = timedelta(hours=24)
    unreachable_after: timedelta = timedelta(days=3)

    def delay(self, failures: int, rng: random.Random | None = None) -> timedelta:
        """How long to wait after ``failures`` consecutive failures (>= 1)."""
        if failures < 1:
            return timedelta(0)
        # 2**n grows without bound; clamp the exponent before multiplying.
        exponent = min(failures - 1, 32)
        raw = min(self.cap, self.base * (2**exponent))
        factor = (rng or random).uniform(1 - self.jitter, 1 + self.jitter)
        return raw * factor

    def next_attempt(
        self,
        now: datetime,
        failures: int,
        retry_after: timedelta | None = None,
        rng: random.Random | None = None,
    ) -> datetime:
        wait = self.delay(failures, rng)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return now + wait

    def is_unreachable(self, first_failure: datetime | None, now: datetime) -> bool:
        return first_failure is not None and now - first_failure >= self.unreachable_after
