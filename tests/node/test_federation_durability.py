"""Nothing is lost or duplicated when peers are down, restart, or join late."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from federation.inbound.registry import Envelope
from node.cases.models import Case
from node.inbox.models import InboxEntry
from node.outbox.models import Delivery
from node.peers.service import list_peers
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually


async def case_count(node: TestNode) -> int:
    async with node.state.db.read() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Case).where(Case.is_local.is_(False))
            )
            or 0
        )


async def pending_deliveries(node: TestNode) -> int:
    async with node.state.db.read() as session:
        return sum(peer.pending for peer in await list_peers(session))


async def post_cases(node: TestNode, token: str, count: int, prefix: str) -> None:
    for i in range(count):
        status, body = await node.request(
            "POST", "/api/v1/cases", token=token, json={**CASE, "title": f"{prefix} {i}"}
        )
        assert status == 201, body


async def test_peer_down_and_sender_restarted_gets_everything_exactly_once(
    network: NodeNetwork,
) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member()

    await de.stop()
    await post_cases(us, author.token, 10, "before restart")
    await us.restart()
    await post_cases(us, author.token, 10, "after restart")
    await de.start()

    await eventually(lambda: _equals(case_count(de), 20), within=60, what="20 cases on DE")
    await eventually(
        lambda: _equals(pending_deliveries(us), 0), within=60, what="US backlog drained"
    )
    async with de.state.db.read() as session:
        titles = (await session.scalars(select(Case.title).where(Case.is_local.is_(False)))).all()
        creates = await session.scalar(select(func.count()).select_from(InboxEntry))
    assert sorted(titles) == sorted(
        [f"before restart {i}" for i in range(10)] + [f"after restart {i}" for i in range(10)]
    )
    assert creates == 20  # each activity stored once, whether pushed, pulled or both


async def _equals(value: object, expected: int) -> bool:
    return await value == expected  # type: ignore[misc]


async def test_late_joiner_catches_up_from_the_outbox(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    fr = await network.spawn("FR")
    author = await us.add_member()
    await post_cases(us, author.token, 5, "history")
    await network.mesh(us, fr)
    await eventually(lambda: _equals(case_count(fr), 5), within=30, what="FR caught up")


async def test_a_peer_whose_catch_up_fails_does_not_hold_up_the_others(
    network: NodeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    fr = await network.spawn("FR")
    await post_cases(us, (await us.add_member()).token, 2, "from US")
    await post_cases(de, (await de.add_member()).token, 3, "from DE")
    pipeline = fr.state.federation.catchup.pipeline
    accept_document = pipeline.accept_document

    async def failing_for_us(item: dict[str, Any], **signer: str) -> Envelope:
        # A bug (not a refusal) on everything US serves; US is FR's first peer.
        if signer["signer_origin"] == us.base_url:
            raise RuntimeError("a bug in processing US's outbox")
        return await accept_document(item, **signer)

    monkeypatch.setattr(pipeline, "accept_document", failing_for_us)
    await network.mesh(fr, us)
    await network.mesh(fr, de)
    await eventually(lambda: _equals(case_count(fr), 3), within=30, what="DE's cases pulled")
    assert await fr.state.federation.catchup.pull_all() == 0  # answers, does not raise


async def test_unapplied_activities_survive_a_receiver_restart(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member()
    await post_cases(us, author.token, 3, "stored")
    await eventually(lambda: _equals(case_count(de), 3), what="applied")
    # Mark them unapplied, as if the receiver crashed between 202 and applying.
    async with de.state.db.write() as session:
        await session.execute(update(InboxEntry).values(state="pending"))
        await session.execute(Case.__table__.delete())
    await de.restart()
    await eventually(lambda: _equals(case_count(de), 3), what="re-applied after restart")


async def test_backoff_is_recorded_and_the_queue_drains_when_the_peer_returns(
    network: NodeNetwork,
) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member()
    await de.stop()
    await post_cases(us, author.token, 2, "queued")

    async def failing() -> bool:
        async with us.state.db.read() as session:
            delivery = await session.scalar(select(Delivery))
            return delivery is not None and delivery.failures >= 1

    await eventually(failing, what="a failed attempt")
    async with us.state.db.read() as session:
        delivery = await session.scalar(select(Delivery))
        assert delivery is not None
        assert delivery.next_attempt_at > delivery.first_failure_at  # backing off
        assert delivery.last_error
    await de.start()
    await eventually(lambda: _equals(pending_deliveries(us), 0), within=60, what="drained")
    async with us.state.db.read() as session:
        delivery = await session.scalar(select(Delivery))
        assert delivery is not None and delivery.failures == 0 and not delivery.unreachable
