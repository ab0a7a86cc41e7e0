"""The figures of the last minute, shared by every viewer.

Computing the metrics reads every case the node knows: about 0.8 s on SQLite with
100,000 cases (docs/benchmarks.md). The figures are the same for every member, so a
node computes them at most once per ``metrics_max_age_seconds`` for each period
length, and viewers who ask while they are being computed wait for that one
computation instead of starting their own: twenty members opening the page at once
cost the database one pass, not twenty. The figures say when they were taken (the
period's ``until``), so a page a minute old says so.

Each process keeps its own copy; nothing here is written to the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from node.metrics.schemas import Metrics

Compute = Callable[[], Awaitable[Metrics]]


@dataclass
class _Taken:
    at: float  # time.monotonic() when the computation started
    metrics: Metrics


# Computations at once, whatever the period lengths asked: 366 lengths asked together
# must not start 366 passes over the database.
AT_ONCE = 2


@dataclass
class MetricsCache:
    _taken: dict[int, _Taken] = field(default_factory=dict)
    _running: dict[int, asyncio.Future[Metrics]] = field(default_factory=dict)
    # Created with the node's state and first waited on in its event loop, where it
    # stays: one node, one loop.
    _slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(AT_ONCE))

    async def get(self, days: int, compute: Compute, *, max_age: float) -> Metrics:
        """The figures for ``days``: the kept ones if younger than ``max_age`` seconds,
        else the result of the computation running now or of a new one."""
        taken = self._taken.get(days)
        if taken is not None and time.monotonic() - taken.at < max_age:
            return taken.metrics
        running = self._running.get(days)
        if running is None:
            running = asyncio.ensure_future(self._compute(days, compute, max_age))
            # If every viewer went away, its failure is still taken (not logged as lost).
            running.add_done_callback(_retrieve)
            self._running[days] = running
        # Shielded: a viewer who goes away does not cancel the others' computation.
        return await asyncio.shield(running)

    async def _compute(self, days: int, compute: Compute, max_age: float) -> Metrics:
        try:
            async with self._slots:
                started = time.monotonic()
                metrics = await compute()
        finally:
            del self._running[days]
        if max_age > 0:
            self._taken[days] = _Taken(started, metrics)
        return metrics


def _retrieve(done: asyncio.Future[Metrics]) -> None:
    if not done.cancelled():
        done.exception()
