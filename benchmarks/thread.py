"""Thread convergence (issue 4): one case, 46 replies from 10 nodes, until every node
shows each reply in its place.

Ten SQLite nodes run in this process on loopback, each peered with every other. A
case is posted on the first; once every node has it, 46 doctors (4–5 per node, every
third anonymous) answer it, one reply every ``interval`` seconds, each from their own
node. A reply posted on another node travels to the origin, which places it and
relays it to all peers; it has converged when all ten nodes store it with its
position. The probes read the nodes' SQLite files read-only, every few milliseconds,
so waiting costs the nodes nothing but a WAL read.

Target: p99 per reply under 1 s on loopback. All ten nodes share one Python process
(one event loop) on this machine's cores, so the figure is an upper bound for nodes
that each have a machine of their own; a reply a second is still a far busier thread
than the 46 answers over hours it stands for.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks._federation_nodes import (
    COUNTRIES,
    BenchNetwork,
    BenchNode,
    author_token,
    post_case,
    trust,
)

TARGET_P99_SECONDS = 1.0
POLL_SECONDS = 0.005
TIMEOUT_SECONDS = 300.0


class ReplyProbe:
    """Read-only look into one node's SQLite file: which replies are placed."""

    def __init__(self, node: BenchNode) -> None:
        self._db = sqlite3.connect(f"file:{node.db_path}?mode=ro", uri=True)

    def placed(self, iris: list[str]) -> set[str]:
        marks = ",".join("?" * len(iris))
        rows = self._db.execute(
            f"SELECT iri FROM replies WHERE position IS NOT NULL AND iri IN ({marks})",  # noqa: S608
            iris,
        )
        return {row[0] for row in rows}

    def has_case(self, iri: str) -> bool:
        return self._db.execute("SELECT 1 FROM cases WHERE iri = ?", (iri,)).fetchone() is not None

    def close(self) -> None:
        self._db.close()


async def _local_id(http: aiohttp.ClientSession, node: BenchNode, token: str, iri: str) -> str:
    async with http.get(
        node.base_url + "/api/v1/cases?limit=100", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        listing: Any = await response.json()
    return next(str(item["local_id"]) for item in listing["items"] if item["id"] == iri)


async def _reply(
    http: aiohttp.ClientSession, node: BenchNode, token: str, case: str, index: int
) -> str:
    async with http.post(
        f"{node.base_url}/api/v1/cases/{case}/replies",
        json={
            "content": f"Reply {index:02d}: consider MEFV genetics and a CRP between episodes.",
            "anonymous": index % 3 == 0,
        },
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        body: Any = await response.json(content_type=None)
        if response.status != 201:
            raise RuntimeError(f"posting a reply failed: HTTP {response.status} {body}")
        return str(body["id"])


async def _until_everywhere(probes: list[ReplyProbe], iri: str, started: float) -> float:
    waiting = list(probes)
    while waiting:
        waiting = [probe for probe in waiting if iri not in probe.placed([iri])]
        if not waiting:
            break
        if time.perf_counter() - started > TIMEOUT_SECONDS:
            raise RuntimeError(f"a reply reached only {len(probes) - len(waiting)} nodes in time")
        await asyncio.sleep(POLL_SECONDS)
    return time.perf_counter() - started


async def _measure(root: Path, nodes: int, replies: int, interval: float) -> dict[str, Any]:
    network = BenchNetwork(root)
    probes: list[ReplyProbe] = []
    setup_started = time.perf_counter()
    try:
        members = [await network.spawn(country) for country in COUNTRIES[:nodes]]
        for index, node in enumerate(members):
            for other in members[index + 1 :]:
                await trust(node, other)
                await trust(other, node)
        probes = [ReplyProbe(node) for node in members]
        tokens = [await author_token(node) for node in members]
        async with aiohttp.ClientSession() as http:
            setup = time.perf_counter() - setup_started
            started = time.perf_counter()
            iri = await post_case(http, members[0], tokens[0], "Toddler with recurrent fevers")
            while not all(probe.has_case(iri) for probe in probes):
                if time.perf_counter() - started > TIMEOUT_SECONDS:
                    raise RuntimeError("the case did not reach every node")
                await asyncio.sleep(POLL_SECONDS)
            case_everywhere = time.perf_counter() - started
            local = [
                await _local_id(http, node, token, iri)
                for node, token in zip(members, tokens, strict=True)
            ]

            async def one(index: int) -> float:
                at = index % nodes
                begun = time.perf_counter()
                reply = await _reply(http, members[at], tokens[at], local[at], index)
                return await _until_everywhere(probes, reply, begun)

            thread_started = time.perf_counter()
            running = []
            for index in range(replies):
                running.append(asyncio.create_task(one(index)))
                await asyncio.sleep(interval)
            seconds = await asyncio.gather(*running)
            whole = time.perf_counter() - thread_started
    finally:
        for probe in probes:
            probe.close()
        await network.close()
    ordered = sorted(seconds)
    return {
        "nodes": nodes,
        "replies": replies,
        "interval_s": interval,
        "p50_s": round(statistics.median(ordered), 3),
        "p90_s": round(ordered[int(0.9 * (len(ordered) - 1))], 3),
        "p99_s": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
        "max_s": round(ordered[-1], 3),
        "whole_thread_s": round(whole, 2),
        "setup_s": round(setup, 1),
        "case_everywhere_s": round(case_everywhere, 3),
    }


def run(*, nodes: int = 10, replies: int = 46, interval: float = 1.0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="curbside-bench-thread-") as root:
        results = asyncio.run(_measure(Path(root), nodes, replies, interval))
    load = os.getloadavg()
    return {
        **results,
        "load_after": [round(x, 2) for x in load],
        "target_p99_s": TARGET_P99_SECONDS,
    }


def report(results: dict[str, Any]) -> str:
    met = results["p99_s"] < results["target_p99_s"]
    return "\n".join(
        [
            f"One case, {results['replies']} replies from {results['nodes']} SQLite nodes "
            f"(all peered with each other, in one process on loopback), one reply every "
            f"{results['interval_s']} s, every third anonymous. Per reply: from the POST "
            "on the doctor's own node until all nodes store it in its place (the origin "
            f"placed and relayed it). Setting up and peering the nodes took "
            f"{results['setup_s']} s; the case reached every node in "
            f"{results['case_everywhere_s']} s. Load average after the run: "
            f"{results['load_after']}.",
            "",
            "| p50 | p90 | p99 | max | whole thread |",
            "|---:|---:|---:|---:|---:|",
            f"| {results['p50_s']} s | {results['p90_s']} s | {results['p99_s']} s | "
            f"{results['max_s']} s | {results['whole_thread_s']} s |",
            "",
            f"Target p99 < {results['target_p99_s']} s: {'met' if met else 'missed'}.",
        ]
    )
