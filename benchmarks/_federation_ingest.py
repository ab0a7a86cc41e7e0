"""Inbox ingest: signed Create(Case) activities per second one SQLite node applies,
against a bare aiohttp handler that only verifies the RFC 9421 signature.

Three processes, so the servers do not share a core with the load generator on a
2-core machine: this one is the client; a child runs the receiving node (and, only
while setting up, a sender node whose key it trusts); another child runs the
baseline. Both servers get the same client: ``concurrency`` keep-alive connections
posting pre-built, freshly signed requests (all signed just before the timed run,
well within the 300 s clock window, so signing costs neither side anything).

- baseline rate: activities / time until every 202 came back;
- node rate: activities / time until every case is in the node's ``cases`` table
  (the probe reads the SQLite file read-only); the node's 202 rate is reported too;
- server CPU per activity, from the server process's own CPU clock (all threads):
  less disturbed by a noisy neighbour than wall time, and the ratio of the two
  is the throughput ratio two CPU-bound servers would show on a core each. The
  client's CPU per request is recorded too: when it approaches the baseline's
  time per request, the client, not the baseline, sets the baseline's rate.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from benchmarks._federation_nodes import BenchNetwork, CaseProbe, create_case_activity, trust
from federation.proofs.multibase import public_key_from_multikey, public_key_to_multikey
from federation.signatures import HttpMessage, read_signature, sign_request, verify_signature
from federation.signatures.errors import SignatureError
from node.identity.keys import load_key
from node.runner import bind_loopback

WARMUP = 50


@dataclass(frozen=True)
class Prepared:
    url: str
    headers: dict[str, str]
    body: bytes


# --- the two servers (child processes) ------------------------------------------------


async def _wait_for_commands(conn: Connection) -> None:
    """Answer "cpu" with this process's CPU seconds until told "stop"."""
    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command == "stop":
            return
        conn.send(time.process_time())


async def _receiver(root: str, conn: Connection) -> None:
    network = BenchNetwork(Path(root))
    try:
        sender = await network.spawn("DE")
        receiver = await network.spawn("US")
        await trust(receiver, sender)
        # The sender only had to be reachable for its actor; its key is all we need.
        await sender.stop()
        conn.send(
            {
                "inbox": receiver.base_url + "/inbox",
                "db_path": str(receiver.db_path),
                "sender_origin": sender.base_url,
                "sender_keys": str(sender.config.keys_dir),
            }
        )
        await _wait_for_commands(conn)
    finally:
        await network.close()


def receiver_main(root: str, conn: Connection) -> None:
    asyncio.run(_receiver(root, conn))


async def _baseline(public_multikey: str, conn: Connection) -> None:
    public_key = public_key_from_multikey(public_multikey)
    sock = bind_loopback(0)
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    async def inbox(request: web.Request) -> web.Response:
        # The ceiling: read the body, check the signature, answer 202. Nothing else.
        message = HttpMessage(
            method="POST",
            url=base_url + request.raw_path,
            headers=request.headers,
            body=await request.read(),
        )
        try:
            verify_signature(read_signature(message), message, public_key)
        except SignatureError as error:
            return web.Response(status=error.status, text=str(error))
        return web.Response(status=202)

    app = web.Application(client_max_size=256 * 1024)
    app.router.add_post("/inbox", inbox)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        conn.send({"inbox": base_url + "/inbox"})
        await _wait_for_commands(conn)
    finally:
        await runner.cleanup()


def baseline_main(public_multikey: str, conn: Connection) -> None:
    asyncio.run(_baseline(public_multikey, conn))


# --- the client (this process) --------------------------------------------------------


class Target:
    """One server process and the pipe that controls it."""

    def __init__(self, target: Any, *args: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=target, args=(*args, child), daemon=True)
        self.process.start()
        child.close()
        try:
            if not self._conn.poll(120):
                raise EOFError
            self.info: dict[str, Any] = self._conn.recv()
        except EOFError:
            self.process.kill()
            self.process.join()
            raise RuntimeError(
                f"{target.__name__} did not start (exit code {self.process.exitcode}); "
                "see its traceback above"
            ) from None

    def cpu(self) -> float:
        self._conn.send("cpu")
        return float(self._conn.recv())

    def stop(self) -> None:
        if self.process.is_alive():
            self._conn.send("stop")
            self.process.join(30)
        if self.process.is_alive():
            self.process.kill()
        self._conn.close()


def prepare(
    url: str, origin: str, key_id: str, private_key: Any, count: int, start: int
) -> list[Prepared]:
    out = []
    for n in range(start, start + count):
        body = json.dumps(create_case_activity(origin, n)).encode()
        headers = {"Content-Type": "application/activity+json"}
        headers.update(
            sign_request("POST", url, headers, body, key_id=key_id, private_key=private_key)
        )
        out.append(Prepared(url, headers, body))
    return out


async def send_all(
    http: aiohttp.ClientSession, requests: Sequence[Prepared], concurrency: int
) -> list[int]:
    pending = iter(requests)
    statuses: list[int] = []

    async def sender() -> None:
        # One shared iterator: each sender takes the next request when it is free.
        for item in pending:
            async with http.post(item.url, data=item.body, headers=item.headers) as response:
                await response.read()
                statuses.append(response.status)

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return statuses


def _check(statuses: list[int], what: str) -> None:
    refused = [s for s in statuses if s != 202]
    if refused:
        raise RuntimeError(f"{what}: {len(refused)} requests refused, e.g. HTTP {refused[0]}")


async def _run_baseline(
    http: aiohttp.ClientSession, target: Target, requests: list[Prepared], concurrency: int
) -> dict[str, float]:
    cpu0, client0 = target.cpu(), time.process_time()
    started = time.perf_counter()
    statuses = await send_all(http, requests, concurrency)
    seconds = time.perf_counter() - started
    cpu, client = target.cpu() - cpu0, time.process_time() - client0
    _check(statuses, "baseline")
    return {
        "seconds": seconds,
        "per_s": len(requests) / seconds,
        "server_cpu_ms": 1000 * cpu / len(requests),
        "client_cpu_ms": 1000 * client / len(requests),
    }


async def _run_node(
    http: aiohttp.ClientSession,
    target: Target,
    probe: CaseProbe,
    requests: list[Prepared],
    concurrency: int,
    limit_s: float,
) -> dict[str, float]:
    expected = probe.remote_cases() + len(requests)
    cpu0 = target.cpu()
    started = time.perf_counter()
    statuses = await send_all(http, requests, concurrency)
    accepted = time.perf_counter() - started
    _check(statuses, "node")
    while probe.remote_cases() < expected:
        if time.perf_counter() - started > limit_s:
            raise RuntimeError(f"the node applied {probe.remote_cases()} of {expected} cases")
        await asyncio.sleep(0.005)
    seconds = time.perf_counter() - started
    cpu = target.cpu() - cpu0
    return {
        "seconds": seconds,
        "per_s": len(requests) / seconds,
        "accepted_per_s": len(requests) / accepted,
        "server_cpu_ms": 1000 * cpu / len(requests),
    }


async def _measure(
    node: Target, baseline: Target, activities: int, repetitions: int, concurrency: int
) -> dict[str, Any]:
    keys = load_key(Path(node.info["sender_keys"]))
    origin = node.info["sender_origin"]
    key_id = keys.key_id(origin)
    probe = CaseProbe(Path(node.info["db_path"]))
    counter = 0

    def batch(url: str, count: int) -> list[Prepared]:
        nonlocal counter
        counter += count
        return prepare(url, origin, key_id, keys.private_key, count, counter - count)

    connector = aiohttp.TCPConnector(limit=concurrency)
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "node": []}
    try:
        async with aiohttp.ClientSession(connector=connector) as http:
            # Warm-up: connections, statement caches, pyld's context cache.
            await send_all(http, batch(baseline.info["inbox"], WARMUP), concurrency)
            await _run_node(http, node, probe, batch(node.info["inbox"], WARMUP), concurrency, 120)
            for _ in range(repetitions):
                # Alternate, so that a noisy spell hurts both sides alike.
                runs["baseline"].append(
                    await _run_baseline(
                        http, baseline, batch(baseline.info["inbox"], activities), concurrency
                    )
                )
                runs["node"].append(
                    await _run_node(
                        http,
                        node,
                        probe,
                        batch(node.info["inbox"], activities),
                        concurrency,
                        limit_s=240,
                    )
                )
    finally:
        probe.close()

    def median(side: str, name: str) -> float:
        return statistics.median(run[name] for run in runs[side])

    pairs = list(zip(runs["baseline"], runs["node"], strict=True))
    ratios = [n["per_s"] / b["per_s"] for b, n in pairs]
    # A server that is CPU-bound serves 1/(CPU per activity) per core-second: this
    # ratio is what the wall-time one would be if each server had a quiet core of
    # its own (and if the client were not what limits the baseline).
    cpu_ratios = [b["server_cpu_ms"] / n["server_cpu_ms"] for b, n in pairs]
    return {
        "activities": activities,
        "repetitions": repetitions,
        "concurrency": concurrency,
        "baseline_per_s": round(median("baseline", "per_s"), 1),
        "node_applied_per_s": round(median("node", "per_s"), 1),
        "node_accepted_per_s": round(median("node", "accepted_per_s"), 1),
        "ratio": round(statistics.median(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
        "cpu_ratio": round(statistics.median(cpu_ratios), 3),
        "baseline_server_cpu_ms": round(median("baseline", "server_cpu_ms"), 3),
        "node_server_cpu_ms": round(median("node", "server_cpu_ms"), 3),
        "client_cpu_ms": round(median("baseline", "client_cpu_ms"), 3),
        "runs": runs,
    }


def measure(activities: int, repetitions: int, concurrency: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="curbside-bench-ingest-") as root:
        node = Target(receiver_main, root)
        try:
            keys = load_key(Path(node.info["sender_keys"]))
            baseline = Target(baseline_main, public_key_to_multikey(keys.public_key))
            try:
                return asyncio.run(_measure(node, baseline, activities, repetitions, concurrency))
            finally:
                baseline.stop()
        finally:
            node.stop()
