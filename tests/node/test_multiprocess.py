"""Two node processes on one PostgreSQL database share the work without doubling it.

A US node runs as two `curbside serve` processes, and so does the DE node. Cases are
posted through both US processes; both US delivery workers compete for the DE peer
(leases taken with FOR UPDATE SKIP LOCKED) and both DE inbox workers compete for the
received activities. Every activity must be POSTed once, stored once, applied once,
in the order it was published.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from node.db.engine import Database
from node.runner import port_for_another_process
from tests.conftest import require_postgres
from tests.node.test_federation_basics import CASE
from tests.postgres import PostgresCluster
from tests.waiting import eventually

CURBSIDE = str(Path(sys.executable).parent / "curbside")
POSTS = 40


def run(*args: str) -> str:
    result = subprocess.run([CURBSIDE, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def free_ports(count: int) -> list[int]:
    """For servers the child processes bind: see the helper."""
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(port_for_another_process())
    return sorted(ports)


def serve(folder: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    """Start `curbside serve`; its log goes to a file (a pipe nobody reads could fill up)."""
    with log.open("w") as handle:
        return subprocess.Popen(
            [CURBSIDE, "serve", str(folder), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=handle,
            text=True,
            env=env,
        )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


async def wait_healthy(http: aiohttp.ClientSession, port: int) -> None:
    async def up() -> bool:
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                return response.status == 200
        except aiohttp.ClientError:
            return False

    await eventually(up, within=60, what=f"node on port {port}")


async def test_two_processes_per_node_deliver_and_apply_exactly_once(
    tmp_path: Path,
    postgres_cluster: PostgresCluster | str,
    processes: list[subprocess.Popen[str]],
) -> None:
    cluster = require_postgres(postgres_cluster)
    us_db, de_db = cluster.create_database(), cluster.create_database()
    us_port, us_port2, de_port, de_port2 = free_ports(4)
    us_dir, de_dir = tmp_path / "us", tmp_path / "de"
    run(
        "init",
        str(us_dir),
        "--domain",
        f"127.0.0.1:{us_port}",
        "--country",
        "US",
        "--insecure-http",
        "--database-url",
        us_db,
    )
    run(
        "init",
        str(de_dir),
        "--domain",
        f"127.0.0.1:{de_port}",
        "--country",
        "DE",
        "--insecure-http",
        "--database-url",
        de_db,
    )
    env = {**os.environ, "CURBSIDE_LOG_LEVEL": "warning"}
    for folder, port in (
        (us_dir, us_port),
        (us_dir, us_port2),
        (de_dir, de_port),
        (de_dir, de_port2),
    ):
        processes.append(serve(folder, port, env, tmp_path / f"serve-{port}.log"))
    async with aiohttp.ClientSession() as http:
        for port in (us_port, us_port2, de_port, de_port2):
            await wait_healthy(http, port)
        run("peers", "add", str(us_dir), f"http://127.0.0.1:{de_port}")
        run("peers", "add", str(de_dir), f"http://127.0.0.1:{us_port}")
        run(
            "members",
            "add",
            str(us_dir),
            "--email",
            "a@us.test",
            "--name",
            "A",
            "--specialty",
            "pediatrics",
            "--verified",
        )
        token = run("token", str(us_dir), "--email", "a@us.test")
        run(
            "members",
            "add",
            str(de_dir),
            "--email",
            "b@de.test",
            "--name",
            "B",
            "--specialty",
            "nephrology",
            "--verified",
        )
        reader = run("token", str(de_dir), "--email", "b@de.test")

        async def post(i: int) -> None:
            port = us_port if i % 2 else us_port2
            async with http.post(
                f"http://127.0.0.1:{port}/api/v1/cases",
                json={**CASE, "title": f"case {i:03d}"},
                headers={"Authorization": f"Bearer {token}"},
            ) as response:
                assert response.status == 201, await response.text()

        await asyncio.gather(*(post(i) for i in range(POSTS)))

        async def all_arrived() -> bool:
            async with http.get(
                f"http://127.0.0.1:{de_port2}/api/v1/cases?limit=100",
                headers={"Authorization": f"Bearer {reader}"},
            ) as response:
                body = await response.json()
            return len(body["items"]) == POSTS

        await eventually(all_arrived, within=90, what=f"{POSTS} cases on DE")

    us, de = Database(us_db), Database(de_db)
    try:
        async with us.read() as session:
            published = [
                json.loads(body)["id"]
                for body in (
                    await session.execute(text("SELECT body FROM outbox ORDER BY seq"))
                ).scalars()
            ]
        async with de.read() as session:
            received = list(
                (await session.execute(text("SELECT activity_id FROM inbox ORDER BY id"))).scalars()
            )
            states = (await session.execute(text("SELECT state, attempts FROM inbox"))).all()
            signatures = await session.scalar(text("SELECT count(*) FROM seen_signatures"))
            titles = list((await session.execute(text("SELECT title FROM cases"))).scalars())
    finally:
        await us.close()
        await de.close()
    assert len(published) == POSTS
    assert received == published  # once each, in publication order
    assert signatures == POSTS  # each activity was POSTed exactly once
    assert all(state == ("applied", 0) for state in states)
    assert sorted(titles) == [f"case {i:03d}" for i in range(POSTS)]
