"""Fan-out: a peer left waiting because every delivery slot was busy gets its turn as
soon as a slot frees, not at the next poll."""

from __future__ import annotations

from functools import partial

import pytest

from node.outbox import worker
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually


async def shows(node: TestNode, token: str, title: str) -> bool:
    _, listing = await node.request("GET", "/api/v1/cases", token=token)
    return any(item["title"] == title for item in listing["items"])


async def test_peers_beyond_the_concurrency_are_served_when_a_slot_frees(
    network: NodeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    us = await network.spawn("US")
    peers = [await network.spawn("DE"), await network.spawn("FR")]
    await network.mesh(us, *peers)
    # One slot for two peers, and a poll far beyond the wait below: only a wake when
    # the first peer's drain ends can bring the second its case in time.
    monkeypatch.setattr(worker, "CONCURRENCY", 1)
    monkeypatch.setattr(worker, "POLL_SECONDS", 600.0)
    author = await us.add_member()
    readers = [await peer.add_member() for peer in peers]

    status, _ = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201
    title = str(CASE["title"])
    for peer, reader in zip(peers, readers, strict=True):
        await eventually(
            partial(shows, peer, reader.token, title),
            within=60.0,
            what=f"the case on {peer.base_url}",
        )
