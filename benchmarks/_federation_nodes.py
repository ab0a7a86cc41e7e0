"""Real nodes for the federation benchmark: the node code itself, on loopback sockets.

This mirrors ``tests/rig.py`` (which needs pytest) with only what the benchmark uses:
initialise a data folder as ``curbside init`` does, start the node in this event loop
on a socket bound beforehand, trust peers the way ``curbside peers add`` does, and
read a node's SQLite file directly so that waiting for an activity costs the node
under test nothing but a WAL read.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from federation.jsonld import CANONICAL_CONTEXT
from node.config import SQLITE_FILE, NodeConfig, load_config
from node.lifecycle import initialise_node
from node.members.service import NewMember, add_member, issue_token
from node.peers.service import add_peer, fetch_node_actor
from node.runner import RunningNode, bind_loopback, start_node
from node.state import NodeState

# 31 distinct countries, enough for an origin and 30 peers.
COUNTRIES = (
    *("US", "DE", "FR", "GB", "IT", "ES", "NL", "BE", "DK", "SE", "NO", "FI", "PL", "GR", "HU"),
    *("IL", "AT", "CH", "PT", "IE", "CZ", "SK", "SI", "HR", "RO", "BG", "EE", "LV", "LT", "LU"),
    "CA",
)

CASE = {
    "title": "Toddler with recurrent fevers",
    "body": "Three-year-old with fevers every 4 weeks, aphthous ulcers and pharyngitis.",
    "question": "PFAPA or something else? Which work-up before a steroid trial?",
    "specialties": ["pediatrics", "infectious-diseases"],
    "language": "en",
    "audience": "federated",
    "anonymous": False,
}


@dataclass
class BenchNode:
    folder: Path
    config: NodeConfig
    running: RunningNode | None = None

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def port(self) -> int:
        return int(self.config.domain.rsplit(":", 1)[1])

    @property
    def db_path(self) -> Path:
        return self.folder / SQLITE_FILE

    @property
    def state(self) -> NodeState:
        assert self.running is not None, "node is stopped"
        return self.running.state

    async def start(self) -> None:
        assert self.running is None
        self.config = load_config(self.folder)
        self.running = await start_node(self.config, sock=bind_loopback(self.port))

    async def stop(self) -> None:
        if self.running is not None:
            await self.running.stop()
            self.running = None


@dataclass
class BenchNetwork:
    root: Path
    nodes: list[BenchNode] = field(default_factory=list)

    async def spawn(self, country: str) -> BenchNode:
        sock = bind_loopback(0)
        port = sock.getsockname()[1]
        folder = self.root / f"{country.lower()}-{port}"
        config = await initialise_node(
            folder,
            {
                "domain": f"127.0.0.1:{port}",
                "country": country,
                "insecure_http": True,
                # Warnings only: a stopped peer makes its senders log every failed
                # attempt, which is expected here and would drown the report.
                "log_level": "error",
            },
        )
        node = BenchNode(folder=folder, config=config)
        node.running = await start_node(config, sock=sock)
        self.nodes.append(node)
        return node

    async def close(self) -> None:
        for node in reversed(self.nodes):
            await node.stop()


async def trust(node: BenchNode, other: BenchNode) -> None:
    """``node``'s operator adds ``other`` (what ``curbside peers add`` does, in process,
    plus waking catch-up, which a running node otherwise does on its next round)."""
    runtime = node.state.federation
    actor = await fetch_node_actor(runtime.http, other.base_url, runtime.signing_key)
    async with node.state.db.write() as session:
        await add_peer(session, actor, own_origin=node.base_url, actor_label="benchmark")
    runtime.catchup.wake.set()


async def author_token(node: BenchNode) -> str:
    """A verified member of ``node`` who may post cases, and a bearer token for them."""
    async with node.state.db.write() as session:
        member = await add_member(
            session,
            NewMember(
                email=f"author-{uuid.uuid4().hex[:8]}@bench.test",
                name="Doctor Bench",
                specialty="pediatrics",
                verified=True,
            ),
            actor="benchmark",
        )
        return await issue_token(session, member, label="benchmark", actor="benchmark")


async def post_case(http: aiohttp.ClientSession, node: BenchNode, token: str, title: str) -> str:
    """POST /api/v1/cases; returns the case's IRI."""
    async with http.post(
        node.base_url + "/api/v1/cases",
        json={**CASE, "title": title},
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        body: Any = await response.json(content_type=None)
        if response.status != 201:
            raise RuntimeError(f"posting a case failed: HTTP {response.status} {body}")
        return str(body["id"])


def create_case_activity(origin: str, n: int) -> dict[str, Any]:
    """A Create(Case) as a peer node at ``origin`` would send it (unique ids)."""
    author = f"{origin}/members/bench-author"
    return {
        "@context": list(CANONICAL_CONTEXT),
        "id": f"{origin}/activities/{uuid.uuid4().hex}",
        "type": "Create",
        "actor": author,
        "object": {
            "id": f"{origin}/cases/{uuid.uuid4().hex[:16]}",
            "type": "Case",
            "attributedTo": {
                "id": author,
                "type": "Person",
                "name": "Dr. Remote",
                "specialty": ["pediatrics"],
                "country": "DE",
            },
            "anonymous": False,
            "nameMap": {"en": f"{CASE['title']} #{n}"},
            "contentMap": {"en": CASE["body"]},
            "clinicalQuestion": CASE["question"],
            "specialty": list(CASE["specialties"]),
            "caseStatus": "open",
            "published": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        },
    }


class CaseProbe:
    """Read-only looks into a node's SQLite file from outside the node's own engine."""

    def __init__(self, db_path: Path) -> None:
        # mode=ro: the probe can never write, so it never contends for the writer lock.
        self._db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)

    def remote_cases(self) -> int:
        row = self._db.execute("SELECT count(*) FROM cases WHERE is_local = 0").fetchone()
        return int(row[0])

    def has_case(self, iri: str) -> bool:
        return self._db.execute("SELECT 1 FROM cases WHERE iri = ?", (iri,)).fetchone() is not None

    def close(self) -> None:
        self._db.close()
