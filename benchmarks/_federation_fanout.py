"""Fan-out: one case posted on an origin node with N peers, until every peer stored it.

All nodes run in this process on loopback (N + 1 SQLite nodes), peered as a star:
the origin and each peer add each other, which is what fan-out needs (peers do not
need to trust one another to receive the origin's cases). Each case is timed from
the POST /api/v1/cases to the moment the last peer has it in its ``cases`` table;
the probes read the peers' SQLite files read-only, every few milliseconds.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks._federation_nodes import (
    COUNTRIES,
    BenchNetwork,
    CaseProbe,
    author_token,
    post_case,
    trust,
)

POLL_SECONDS = 0.005
PAUSE_SECONDS = 0.5  # between cases, so each starts from a quiet network
TIMEOUT_SECONDS = 60.0


async def _one_case(
    http: aiohttp.ClientSession,
    network: BenchNetwork,
    token: str,
    probes: list[CaseProbe],
    title: str,
) -> list[float]:
    """Seconds from the POST until each peer stored the case, in arrival order."""
    origin = network.nodes[0]
    started = time.perf_counter()
    iri = await post_case(http, origin, token, title)
    arrivals: list[float] = []
    waiting = list(probes)
    while waiting:
        for probe in list(waiting):
            if probe.has_case(iri):
                arrivals.append(time.perf_counter() - started)
                waiting.remove(probe)
        if time.perf_counter() - started > TIMEOUT_SECONDS:
            raise RuntimeError(f"{len(waiting)} peers did not get the case in {TIMEOUT_SECONDS}s")
        await asyncio.sleep(POLL_SECONDS)
    return arrivals


async def _measure(root: Path, peers: int, cases: int) -> dict[str, Any]:
    network = BenchNetwork(root)
    probes: list[CaseProbe] = []
    try:
        started = time.perf_counter()
        origin = await network.spawn(COUNTRIES[0])
        for country in COUNTRIES[1 : peers + 1]:
            await network.spawn(country)
        for peer in network.nodes[1:]:
            # The origin first: a peer that adds the origin then pulls its outbox at
            # once, and that pull is refused until the origin has added the peer.
            await trust(origin, peer)
            await trust(peer, origin)
        setup_seconds = time.perf_counter() - started
        token = await author_token(origin)
        probes = [CaseProbe(peer.db_path) for peer in network.nodes[1:]]
        async with aiohttp.ClientSession() as http:
            # One case unmeasured: connections, caches and first-time queries.
            await _one_case(http, network, token, probes, "warm-up")
            await asyncio.sleep(PAUSE_SECONDS)
            runs = []
            for n in range(cases):
                runs.append(await _one_case(http, network, token, probes, f"fan-out {n}"))
                await asyncio.sleep(PAUSE_SECONDS)
    finally:
        for probe in probes:
            probe.close()
        await network.close()
    all_peers = [run[-1] for run in runs]
    first_peer = [run[0] for run in runs]
    every_arrival = sorted(t for run in runs for t in run)
    return {
        "peers": peers,
        "cases": cases,
        "setup_seconds": round(setup_seconds, 1),
        "all_peers_median_s": round(statistics.median(all_peers), 3),
        "all_peers_max_s": round(max(all_peers), 3),
        "first_peer_median_s": round(statistics.median(first_peer), 3),
        "per_peer_median_s": round(statistics.median(every_arrival), 3),
        "all_peers_s": [round(t, 3) for t in all_peers],
        # How arrivals spread within one case: the fastest and slowest peers.
        "arrivals_s": [[round(t, 3) for t in run] for run in runs],
    }


def measure(peers: int, cases: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="curbside-bench-fanout-") as root:
        return asyncio.run(_measure(Path(root), peers, cases))
