"""``curbside peers add|list|remove`` as operators run them, against nodes under
``curbside serve``: real processes, real HTTP on loopback, SQLite.

The commands change a running node's database from another process, so these tests
also show that a serving node picks up a peer added or removed underneath it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from node.config import load_config
from node.lifecycle import open_database
from node.members.service import NewMember, add_member, issue_token
from tests.node.test_cli import CURBSIDE, assert_one_line_error, curbside, free_port

pytestmark = pytest.mark.slow

CASE = {
    "title": "Adolescent with recurrent syncope on exertion",
    "body": "Fifteen-year-old athlete, two episodes while running, normal resting ECG.",
    "question": "Which work-up before clearing her to train again?",
    "specialties": ["cardiology", "pediatrics"],
    "language": "en",
    "audience": "federated",
    "anonymous": False,
}
# What `peers list --json` shows for each peer; scripts read these fields.
LIST_FIELDS = {
    "origin",
    "name",
    "country",
    "fingerprint",
    "added_at",
    "mutual",
    "pending",
    "failures",
    "unreachable",
    "next_attempt_at",
    "last_success_at",
    "last_error",
}


@dataclass
class Served:
    folder: Path
    base: str
    fingerprint: str  # as `curbside init` printed it
    process: subprocess.Popen[str]
    log: Path
    token: str = ""


def request(
    method: str, url: str, *, token: str | None = None, body: Any = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, method=method, data=data)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_until(probe: Callable[[], Any], what: str, within: float = 30.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}: last={value!r}")
        time.sleep(0.1)


def member_token(folder: Path, email: str) -> str:
    """A verified member and a token, written straight into the node's database
    (`members add` and `token` have their own tests; two more processes per node
    would only make these slower)."""

    async def work() -> str:
        db = await open_database(load_config(folder))
        try:
            async with db.write() as session:
                member = await add_member(
                    session,
                    NewMember(email=email, name="Dr. Test", specialty="cardiology", verified=True),
                    actor="test",
                )
                return await issue_token(session, member, label="test", actor="test")
        finally:
            await db.close()

    return asyncio.run(work())


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., list[Served]]]:
    """``serve("US", "DE")``: nodes made with `curbside init` and started with
    `curbside serve`, each with a member who can post; all stopped at the end."""
    started: list[Served] = []

    def start(*countries: str, members: bool = True) -> list[Served]:
        ports = [free_port() for _ in countries]
        folders = [tmp_path / f"{c.lower()}-{p}" for c, p in zip(countries, ports, strict=True)]
        # Inits in parallel: each is a process start plus migrations.
        inits = [
            subprocess.Popen(
                [
                    *(CURBSIDE, "init", str(folder), "--domain", f"127.0.0.1:{port}"),
                    *("--country", country, "--insecure-http"),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for folder, port, country in zip(folders, ports, countries, strict=True)
        ]
        nodes = []
        for init, folder, port in zip(inits, folders, ports, strict=True):
            out, err = init.communicate(timeout=120)
            assert init.returncode == 0, err
            [fingerprint] = [
                line.split("fingerprint: ", 1)[1]
                for line in out.splitlines()
                if "fingerprint: " in line
            ]
            # Logs to a file: a pipe nobody reads would fill up and stall the node.
            log = folder.parent / f"{folder.name}.log"
            process = subprocess.Popen(
                [CURBSIDE, "serve", str(folder), "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=log.open("w"),
                text=True,
            )
            node = Served(folder, f"http://127.0.0.1:{port}", fingerprint, process, log)
            started.append(node)
            nodes.append(node)
        for node in nodes:
            wait_until(lambda node=node: _healthy(node), f"{node.base} to serve", within=60)
            if members:
                node.token = member_token(node.folder, f"author@{node.folder.name}.test")
        return nodes

    yield start
    # All asked to stop first, so that their graceful stops overlap.
    for node in started:
        if node.process.poll() is None:
            node.process.terminate()
    for node in started:
        try:
            node.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait()


def _healthy(node: Served) -> bool:
    if node.process.poll() is not None:
        pytest.fail(f"{node.base} exited: {node.log.read_text()[-2000:]}")
    try:
        return request("GET", node.base + "/healthz")[0] == 200
    except (ConnectionError, urllib.error.URLError):
        return False


def peers(node: Served) -> list[dict[str, Any]]:
    result = curbside("peers", "list", str(node.folder), "--json")
    assert result.returncode == 0, result.stderr
    listed: list[dict[str, Any]] = json.loads(result.stdout)
    return listed


def add(node: Served, other: Served, *extra: str) -> subprocess.CompletedProcess[str]:
    return curbside("peers", "add", str(node.folder), other.base, *extra)


def in_parallel(*commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Several independent `curbside` commands at once: each is a whole process
    start, and on a busy machine one after another adds up to minutes."""
    running = [
        subprocess.Popen(
            [CURBSIDE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for args in commands
    ]
    results = []
    for args, process in zip(commands, running, strict=True):
        out, err = process.communicate(timeout=180)
        results.append(subprocess.CompletedProcess([CURBSIDE, *args], process.returncode, out, err))
    return results


def post_case(node: Served, title: str) -> str:
    status, body = request(
        "POST", node.base + "/api/v1/cases", token=node.token, body={**CASE, "title": title}
    )
    assert status == 201, body
    return str(body["id"])


def titles(node: Served) -> set[str]:
    status, body = request("GET", node.base + "/api/v1/cases", token=node.token)
    assert status == 200, body
    return {item["title"] for item in body["items"]}


def delivery_row(node: Served, peer: Served) -> dict[str, Any] | None:
    """``node``'s delivery state for ``peer``, read from its database: the cheap way
    to wait for the moment worth asking the CLI about."""
    with sqlite3.connect(f"file:{node.folder / 'curbside.db'}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        row = db.execute(
            "SELECT d.*, p.last_seen_at, (SELECT max(seq) FROM outbox) AS last_seq "
            "FROM peers p JOIN deliveries d ON d.peer_id = p.id WHERE p.origin = ?",
            (peer.base,),
        ).fetchone()
    return dict(row) if row is not None else None


# --- tests --------------------------------------------------------------------------


def test_add_shows_the_fingerprint_and_trust_becomes_mutual_once_traffic_flows(
    serve: Callable[..., list[Served]],
) -> None:
    us, de = serve("US", "DE")
    assert curbside("peers", "list", str(us.folder)).stdout.strip() == "no peers"

    added = add(us, de, "--fingerprint", de.fingerprint)
    assert added.returncode == 0, added.stderr
    assert de.base in added.stdout and de.fingerprint in added.stdout
    # It tells the operator what the other side must run, with our fingerprint.
    assert f"peers add DIR {us.base} --fingerprint {us.fingerprint}" in added.stdout

    [entry] = peers(us)
    assert set(entry) >= LIST_FIELDS
    assert (entry["origin"], entry["country"], entry["fingerprint"]) == (
        de.base,
        "DE",
        de.fingerprint,
    )
    assert entry["name"]
    assert (entry["mutual"], entry["pending"], entry["failures"], entry["unreachable"]) == (
        False,
        0,
        0,
        False,
    )
    text = curbside("peers", "list", str(us.folder)).stdout
    assert de.base in text and de.fingerprint in text and "not yet mutual" in text

    # Without --fingerprint it still prints the key, for the operator to compare.
    back = add(de, us)
    assert back.returncode == 0, back.stderr
    assert us.fingerprint in back.stdout

    # The serving US node finds the new peer by itself and delivers to it.
    post_case(us, "First federated case")
    wait_until(lambda: "First federated case" in titles(de), "the case on DE")

    def delivered() -> bool:
        row = delivery_row(us, de)
        return row is not None and row["last_delivered_seq"] == row["last_seq"]

    wait_until(delivered, "US to record the delivery")
    [from_us] = peers(us)
    assert (from_us["mutual"], from_us["pending"], from_us["failures"]) == (True, 0, 0)
    assert from_us["last_success_at"] is not None
    # DE has not sent anything, but it accepted a POST signed by US: mutual too.
    [from_de] = peers(de)
    assert (from_de["origin"], from_de["fingerprint"], from_de["mutual"]) == (
        us.base,
        us.fingerprint,
        True,
    )
    assert "not yet mutual" not in curbside("peers", "list", str(us.folder)).stdout


class _Impostor(BaseHTTPRequestHandler):
    """Answers every GET with the class's canned response."""

    content_type = "text/html"
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean


@pytest.fixture
def impostor() -> Iterator[Callable[[str, bytes], str]]:
    """``impostor(content_type, body)``: the URL of a web server that is not a node."""
    servers: list[ThreadingHTTPServer] = []

    def start(content_type: str, body: bytes) -> str:
        handler = type("Handler", (_Impostor,), {"content_type": content_type, "body": body})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_add_refuses_wrong_keys_itself_duplicates_and_what_is_not_a_node(
    serve: Callable[..., list[Served]], impostor: Callable[[str, bytes], str]
) -> None:
    us, de = serve("US", "DE", members=False)
    html = impostor("text/html; charset=utf-8", b"<!doctype html><title>Clinic</title>")
    # A real node's actor replayed from another origin: its ids are not on that
    # origin, so trusting it would let the impostor claim another node's key.
    status, actor = request("GET", de.base + "/actor")
    assert status == 200
    copied = impostor("application/activity+json", json.dumps(actor).encode())
    not_an_actor = impostor("application/json", b'{"hello": "world"}')
    nobody = f"http://127.0.0.1:{free_port()}"

    add_ = ["peers", "add", str(us.folder)]
    refusals = {
        "wrong fingerprint": ([*add_, de.base, "--fingerprint", us.fingerprint], "not added"),
        "itself": ([*add_, us.base], "itself"),
        "unreachable": ([*add_, nobody], "cannot fetch"),
        "not a URL": ([*add_, "not a url"], "not a node URL"),
        "HTML page": ([*add_, html], "content type"),
        "copied actor": ([*add_, copied], "does not look like a Curbside node"),
        "not an actor": ([*add_, not_an_actor], "does not look like a Curbside node"),
    }
    results = in_parallel(*(args for args, _ in refusals.values()))
    for (what, (_, needle)), result in zip(refusals.items(), results, strict=True):
        try:
            assert_one_line_error(result, needle)
        except AssertionError as error:
            raise AssertionError(f"{what}: {error}") from None
    assert de.fingerprint in results[0].stderr  # the key it did find, for the operator
    assert peers(us) == []  # none of them added anything

    assert add(us, de).returncode == 0
    assert_one_line_error(add(us, de), "already a peer")
    assert [p["origin"] for p in peers(us)] == [de.base]


def test_remove_stops_delivery_at_once_in_both_directions(
    serve: Callable[..., list[Served]],
) -> None:
    us, de, fr = serve("US", "DE", "FR")
    adds = in_parallel(
        *(
            ["peers", "add", str(a.folder), b.base]
            for a, b in ((us, de), (us, fr), (de, us), (fr, us))
        )
    )
    assert [r.returncode for r in adds] == [0, 0, 0, 0], [r.stderr for r in adds]
    post_case(us, "Before removal")
    wait_until(lambda: "Before removal" in titles(de) & titles(fr), "the case on DE and FR")

    removed = curbside("peers", "remove", str(us.folder), de.base)
    assert removed.returncode == 0, removed.stderr
    assert de.base in removed.stdout
    assert [p["origin"] for p in peers(us)] == [fr.base]

    # Out: FR (still a peer) gets the next case; DE never does.
    post_case(us, "After removal")
    wait_until(lambda: "After removal" in titles(fr), "the case on FR")
    time.sleep(3)  # longer than a delivery poll, in case DE were merely slower
    assert "After removal" not in titles(de)

    # In: DE still trusts US, but US no longer knows DE's key and refuses it (401,
    # which DE keeps retrying with backoff, as it would for a peer that has not
    # added it yet).
    post_case(de, "From the removed peer")
    wait_until(lambda: (delivery_row(de, us) or {}).get("failures", 0) >= 1, "DE: refused by US")
    [us_seen_from_de] = peers(de)
    assert us_seen_from_de["failures"] >= 1
    assert "401" in (us_seen_from_de["last_error"] or "")
    assert "From the removed peer" not in titles(us)

    unknown, not_a_url = in_parallel(
        ["peers", "remove", str(us.folder), de.base],
        ["peers", "remove", str(us.folder), "not a url"],
    )
    assert_one_line_error(unknown, "not a peer")
    assert_one_line_error(not_a_url, "not a node URL")
