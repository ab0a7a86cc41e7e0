"""The multi-node rig: real nodes on real loopback sockets, in the test's event loop.

``network.spawn("US")`` initialises a data folder exactly as ``curbside init`` does,
binds a free port, and starts the node; tests then drive nodes through their HTTP
APIs. Nothing about federation is mocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from node.config import NodeConfig, load_config
from node.lifecycle import initialise_node
from node.members.models import Role
from node.members.service import NewMember, add_member, issue_token
from node.peers.service import add_peer, fetch_node_actor
from node.runner import RunningNode, bind_loopback, start_node


@dataclass
class Account:
    public_id: str
    email: str
    name: str
    token: str


@dataclass
class TestNode:
    __test__ = False  # a helper, not a test class
    data_dir: Path
    config: NodeConfig
    http: aiohttp.ClientSession
    running: RunningNode | None = None
    _member_counter: int = 0

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def port(self) -> int:
        return int(self.config.domain.rsplit(":", 1)[1])

    @property
    def state(self) -> Any:
        assert self.running is not None, "node is stopped"
        return self.running.state

    async def start(self) -> None:
        assert self.running is None
        self.config = load_config(self.data_dir)
        self.running = await start_node(self.config, sock=bind_loopback(self.port))

    async def stop(self) -> None:
        if self.running is not None:
            await self.running.stop()
            self.running = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def request(
        self, method: str, path: str, *, token: str | None = None, json: Any = None, **kwargs: Any
    ) -> tuple[int, Any]:
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with self.http.request(
            method, self.base_url + path, json=json, headers=headers, **kwargs
        ) as response:
            body: Any = await response.read()
            if response.content_type in (
                "application/json",
                "application/problem+json",
                "application/activity+json",
                "application/ld+json",
                "application/jrd+json",
            ):
                body = await response.json(content_type=None)
            return response.status, body

    async def trust(self, other: TestNode) -> None:
        """This node's operator adds ``other`` as a peer (half of a mutual peering)."""
        runtime = self.state.federation
        actor = await fetch_node_actor(runtime.http, other.base_url, runtime.signing_key)
        async with self.state.db.write() as session:
            await add_peer(session, actor, own_origin=self.base_url, actor_label="test")
        runtime.catchup.wake.set()

    async def add_member(
        self,
        *,
        name: str | None = None,
        specialty: str = "general-practice",
        verified: bool = True,
        role: Role = Role.MEMBER,
        email: str | None = None,
        password: str | None = None,
    ) -> Account:
        self._member_counter += 1
        n = self._member_counter
        email = email or f"member{n}@{self.config.country.lower()}.test"
        name = name or f"Doctor {self.config.country} {n}"
        async with self.state.db.write() as session:
            member = await add_member(
                session,
                NewMember(
                    email=email,
                    name=name,
                    specialty=specialty,
                    verified=verified,
                    role=role,
                    password=password,
                ),
                actor="test",
            )
            token = await issue_token(session, member, label="test", actor="test")
        return Account(public_id=member.public_id, email=email, name=name, token=token)


@dataclass
class NodeNetwork:
    root: Path
    make_database_url: Callable[[], str]
    http: aiohttp.ClientSession
    nodes: list[TestNode] = field(default_factory=list)

    async def spawn(self, country: str = "US", **settings: Any) -> TestNode:
        sock = bind_loopback(0)
        port = sock.getsockname()[1]
        folder = self.root / f"{country.lower()}-{port}"
        values = {
            "domain": f"127.0.0.1:{port}",
            "country": country,
            "insecure_http": True,
            "database_url": self.make_database_url(),
            "log_level": "warning",
            **settings,
        }
        config = await initialise_node(folder, values)
        node = TestNode(data_dir=folder, config=config, http=self.http)
        node.running = await start_node(config, sock=sock)
        self.nodes.append(node)
        return node

    async def mesh(self, *nodes: TestNode) -> None:
        """Every node trusts every other (full mutual peering)."""
        for node in nodes:
            for other in nodes:
                if node is not other:
                    await node.trust(other)

    async def close(self) -> None:
        for node in reversed(self.nodes):
            await node.stop()


@pytest.fixture
async def network(
    tmp_path: Path, make_migrated_database_url: Callable[[], str]
) -> AsyncIterator[NodeNetwork]:
    """Spawn nodes with ``await network.spawn("DE")``; all stop when the test ends."""
    async with aiohttp.ClientSession() as http:
        net = NodeNetwork(root=tmp_path, make_database_url=make_migrated_database_url, http=http)
        try:
            yield net
        finally:
            await net.close()


@pytest.fixture
async def pair(network: NodeNetwork) -> tuple[TestNode, TestNode]:
    """Two peered nodes: (US, DE)."""
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    return us, de
