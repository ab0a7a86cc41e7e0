"""Catch-up: a backlog of activities reaching a peer that was away, in each way it can.

One origin node posts the backlog (through its JSON API) while its peers are away;
then, one at a time, with only that peer running:

- "push": a peer that was down comes back and the origin drains its queue to it.
  The peer's own outbox reading is switched off for this one (its stored peer
  record loses the origin's outbox URL while it is stopped), so every activity
  arrives by push. The origin is told the peer is back the way the node does it
  when a peer's signed request arrives (``DeliveryWorker.peer_is_back``); otherwise
  it would wait for its backoff timer, which says nothing about throughput.
- "returning" (only when asked: it doubles the time): the same, as deployed: the
  peer also pulls the origin's outbox at start-up (which is also what tells the
  origin it is back); the two paths race and activity ids de-duplicate.
- "pull": a node that joins late (both operators add each other after the
  backlog exists) reads the origin's outbox; nothing is pushed to it.

Rate = backlog / seconds from the peer starting (or being added) until every case
is in its ``cases`` table; a path that has not finished after ``limit_s`` is
reported with the part that arrived (``complete`` false).
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks._federation_nodes import (
    BenchNetwork,
    BenchNode,
    CaseProbe,
    author_token,
    post_case,
    trust,
)

POST_CONCURRENCY = 4
POLL_SECONDS = 0.02


async def _post_backlog(origin: BenchNode, count: int) -> float:
    token = await author_token(origin)
    titles = iter(range(count))
    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:

        async def poster() -> None:
            for n in titles:
                await post_case(http, origin, token, f"backlog {n}")

        await asyncio.gather(*(poster() for _ in range(POST_CONCURRENCY)))
    return time.perf_counter() - started


async def _wait_for(node: BenchNode, count: int, started: float, limit_s: float) -> dict[str, Any]:
    """Wait until ``node`` has ``count`` remote cases, or ``limit_s`` passed: on a busy
    machine a slow path still yields a rate (from what arrived) instead of nothing."""
    probe = CaseProbe(node.db_path)
    try:
        while (applied := probe.remote_cases()) < count:
            if time.perf_counter() - started > limit_s:
                break
            await asyncio.sleep(POLL_SECONDS)
    finally:
        probe.close()
    seconds = time.perf_counter() - started
    return {
        "applied": applied,
        "complete": applied >= count,
        "seconds": round(seconds, 2),
        "per_s": round(applied / seconds, 1),
    }


def _forget_outbox(peer: BenchNode, origin: BenchNode) -> None:
    """While ``peer`` is stopped: make it unable to pull ``origin``'s outbox."""
    with sqlite3.connect(peer.db_path) as db:
        db.execute("UPDATE peers SET outbox_url = NULL WHERE origin = ?", (origin.base_url,))


async def _measure(root: Path, backlog: int, returning_too: bool, limit_s: float) -> dict[str, Any]:
    network = BenchNetwork(root)
    try:
        origin = await network.spawn("US")
        pushed = await network.spawn("DE")
        returning = await network.spawn("FR") if returning_too else None
        late = await network.spawn("IT")
        for peer in (pushed, returning):
            if peer is None:
                continue
            await trust(origin, peer)
            await trust(peer, origin)
            await peer.stop()
        post_seconds = await _post_backlog(origin, backlog)
        results: dict[str, Any] = {
            "backlog": backlog,
            "backlog_post_per_s": round(backlog / post_seconds, 1),
        }

        _forget_outbox(pushed, origin)
        started = time.perf_counter()
        await pushed.start()
        await origin.state.federation.delivery.peer_is_back(pushed.base_url)
        results["push"] = await _wait_for(pushed, backlog, started, limit_s)
        await pushed.stop()

        if returning is not None:
            started = time.perf_counter()
            await returning.start()
            results["returning"] = await _wait_for(returning, backlog, started, limit_s)
            await returning.stop()

        started = time.perf_counter()
        await trust(origin, late)
        await trust(late, origin)
        results["pull"] = await _wait_for(late, backlog, started, limit_s)
        return results
    finally:
        await network.close()


def measure(backlog: int, *, returning: bool = False, limit_s: float = 180.0) -> dict[str, Any]:
    """Push and pull; with ``returning``, also the deployed mix (it takes as long again)."""
    with tempfile.TemporaryDirectory(prefix="curbside-bench-catchup-") as root:
        return asyncio.run(_measure(Path(root), backlog, returning, limit_s))
