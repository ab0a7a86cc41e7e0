"""A peer that adds us after we added it: its backlog arrives within seconds, not at
the next catch-up round five minutes later."""

from __future__ import annotations

from node.outbox import catchup
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually


async def titles(node: TestNode, token: str) -> list[str]:
    _, listing = await node.request("GET", "/api/v1/cases", token=token)
    return [item["title"] for item in listing["items"]]


async def test_a_late_joiner_s_backlog_arrives_once_it_adds_us(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    author = await de.add_member()
    reader = await us.add_member()
    status, _ = await de.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201

    # US adds DE; DE's outbox refuses US, which DE does not know yet.
    await us.trust(de)

    async def refused() -> bool:
        return de.base_url in us.state.federation.catchup.refused()

    await eventually(refused, what="DE refusing US's catch-up")
    assert CASE["title"] not in await titles(us, reader.token)

    await de.trust(us)

    async def arrived() -> bool:
        return CASE["title"] in await titles(us, reader.token)

    # Well within the first retry pauses, and far from the five-minute round.
    assert catchup.INTERVAL_SECONDS >= 300
    await eventually(arrived, within=20.0, what="DE's backlog on US")
    assert de.base_url not in us.state.federation.catchup.refused()
