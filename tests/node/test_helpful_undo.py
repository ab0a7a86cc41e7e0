"""Taking back a helpful mark: on the case's own node, and across nodes as ``Undo`` of
the ``Like``, which only the marking member's node can send."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from federation.inbound.registry import Envelope
from federation.jsonld import CANONICAL_CONTEXT
from node.cases.engagement import LikeReply
from node.inbox.context import ApplyContext
from node.inbox.models import InboxEntry
from node.inbox.undone import BeingApplied, undo_waiting
from node.outbox.models import OutboxEntry
from tests.node.test_federation_basics import CASE
from tests.node.test_threads import detail, trio  # noqa: F401  (trio is a fixture)
from tests.peering import inbox_count, post_inbox
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually


async def case_with_reply(
    node: TestNode, author: Account, answerer: Account
) -> tuple[dict[str, Any], dict[str, Any]]:
    status, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case
    status, reply = await node.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/replies",
        token=answerer.token,
        json={"content": "MEFV first."},
    )
    assert status == 201, reply
    return case, reply


async def test_mark_and_take_back_on_a_local_case(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Alice Carter")
    answerer = await node.add_member(name="Ben Okafor")
    reader = await node.add_member(name="Carla Diaz")
    case, reply = await case_with_reply(node, author, answerer)
    helpful = f"/api/v1/replies/{reply['local_id']}/helpful"

    async def count() -> int:
        _, body = await node.request("GET", f"/api/v1/cases/{case['local_id']}", token=author.token)
        return int(body["replies"][0]["helpful_count"])

    assert (await node.request("POST", helpful, token=reader.token))[0] == 201
    assert await count() == 1
    status, body = await node.request("DELETE", helpful, token=reader.token)
    assert status == 204, body
    assert await count() == 0
    status, problem = await node.request("DELETE", helpful, token=reader.token)
    assert status == 404 and problem["type"].endswith("not-marked"), problem
    status, problem = await node.request("DELETE", helpful, token=author.token)
    assert status == 404 and problem["type"].endswith("not-marked"), problem  # never marked
    assert (await node.request("POST", helpful, token=reader.token))[0] == 201
    assert await count() == 1
    status, problem = await node.request(
        "DELETE", "/api/v1/replies/no-such-reply/helpful", token=reader.token
    )
    assert status == 404 and problem["type"].endswith("not-found"), problem
    _, spec = await node.request("GET", "/api/v1/openapi.json", token=reader.token)
    assert "delete" in spec["paths"]["/api/v1/replies/{local_id}/helpful"]


async def helpful_counts(
    members: list[tuple[TestNode, Account]], case_iri: str, reply_iri: str
) -> list[int | None]:
    counts: list[int | None] = []
    for node, account in members:
        body = await detail(node, account, case_iri)
        reply = next((r for r in body["replies"] if r["id"] == reply_iri), None) if body else None
        counts.append(reply["helpful_count"] if reply else None)
    return counts


async def outbox_activity(node: TestNode, kind: str) -> dict[str, Any]:
    async with node.state.db.read() as session:
        body = await session.scalar(
            select(OutboxEntry.body)
            .where(OutboxEntry.activity_type == kind)
            .order_by(OutboxEntry.seq.desc())
        )
    assert body is not None, kind
    return dict(json.loads(body))


def undo_like(sender: TestNode, actor: str, like_actor: str, reply_iri: str) -> dict[str, Any]:
    return {
        "@context": list(CANONICAL_CONTEXT),
        "id": f"{sender.base_url}/activities/{uuid.uuid4().hex}",
        "type": "Undo",
        "actor": actor,
        "object": {"type": "Like", "actor": like_actor, "object": reply_iri},
    }


async def test_a_mark_taken_back_on_another_node_is_taken_back_everywhere(
    trio: tuple[TestNode, TestNode, TestNode],  # noqa: F811
) -> None:
    us, de, fr = trio
    author = await us.add_member(name="Alice Carter")
    us_doc = await us.add_member(name="Ben Okafor")
    de_doc = await de.add_member(name="Jonas Weber")
    fr_doc = await fr.add_member(name="Camille Dubois")
    case, reply = await case_with_reply(us, author, author)
    everyone = [(us, author), (de, de_doc), (fr, fr_doc)]

    async def counts_are(expected: int) -> bool:
        return await helpful_counts(everyone, case["id"], reply["id"]) == [expected] * 3

    await eventually(lambda: counts_are(0), within=30, what="the reply on every node")
    de_case = await detail(de, de_doc, case["id"])
    assert de_case is not None
    on_de = f"/api/v1/replies/{de_case['replies'][0]['local_id']}/helpful"
    on_us = f"/api/v1/replies/{reply['local_id']}/helpful"
    assert (await de.request("POST", on_de, token=de_doc.token))[0] == 201
    assert (await us.request("POST", on_us, token=us_doc.token))[0] == 201
    await eventually(lambda: counts_are(2), within=30, what="two marks on every node")

    # FR cannot take back the DE member's mark, nor sign for DE's pseudonym.
    like = await outbox_activity(de, "Like")
    marker = like["actor"]
    forged = undo_like(fr, marker, marker, reply["id"])
    status, problem = await post_inbox(fr, us, forged)
    assert status == 403 and problem["type"].endswith("wrong-origin"), problem

    # The DE member takes it back: DE sends Undo of the Like, US lowers the total.
    status, body = await de.request("DELETE", on_de, token=de_doc.token)
    assert status == 204, body
    await eventually(lambda: counts_are(1), within=30, what="the mark taken back everywhere")
    undo = await outbox_activity(de, "Undo")
    assert undo["actor"] == marker
    assert undo["object"] == {"type": "Like", "actor": marker, "object": reply["id"]}
    assert (await de.request("DELETE", on_de, token=de_doc.token))[0] == 404

    # Redelivered (signed anew), or sent again for a mark that is gone: nothing changes.
    later = datetime.now(UTC) + timedelta(seconds=2)
    assert (await post_inbox(de, us, undo, created=later))[0] == 202
    again = undo_like(de, marker, marker, reply["id"])
    assert (await post_inbox(de, us, again))[0] == 202
    await eventually(lambda: _applied(us, again["id"]), what="the second Undo applied")
    assert await helpful_counts(everyone, case["id"], reply["id"]) == [1, 1, 1]

    # A mark on the origin's own case, taken back there, reaches the peers too.
    assert (await us.request("DELETE", on_us, token=us_doc.token))[0] == 204
    await eventually(lambda: counts_are(0), within=30, what="no marks left anywhere")
    assert (await de.request("POST", on_de, token=de_doc.token))[0] == 201
    await eventually(lambda: counts_are(1), within=30, what="marked again after undoing")


async def _applied(node: TestNode, activity_id: str) -> bool:
    async with node.state.db.read() as session:
        entry = await session.scalar(
            select(InboxEntry).where(InboxEntry.activity_id == activity_id)
        )
    return entry is not None and entry.state == "applied"


async def test_an_undo_must_take_back_the_signers_own_like(
    pair: tuple[TestNode, TestNode],
) -> None:
    receiver, sender = pair
    elsewhere = "https://third.example/pseudonyms/anon-x"
    own = f"{sender.base_url}/pseudonyms/anon-a"
    other_own = f"{sender.base_url}/pseudonyms/anon-b"
    reply_iri = f"{receiver.base_url}/replies/r1"
    by_reference = undo_like(sender, own, own, reply_iri)
    by_reference["object"] = "https://third.example/activities/like-1"
    before = await inbox_count(receiver)
    for name, activity, expected in [
        (
            "Undo by an actor on another origin",
            undo_like(sender, elsewhere, elsewhere, reply_iri),
            403,
        ),
        ("a Like by an actor on another origin", undo_like(sender, own, elsewhere, reply_iri), 403),
        ("a Like referenced on another origin", by_reference, 403),
        (
            "a Like by another actor than the Undo's",
            undo_like(sender, own, other_own, reply_iri),
            400,
        ),
    ]:
        status, problem = await post_inbox(sender, receiver, activity)
        assert status == expected, f"{name}: {status} {problem}"
    assert await inbox_count(receiver) == before


async def test_a_like_retried_after_its_undo_does_not_bring_the_mark_back(
    pair: tuple[TestNode, TestNode], monkeypatch: pytest.MonkeyPatch
) -> None:
    us, de = pair
    author = await us.add_member(name="Alice Carter")
    case, reply = await case_with_reply(us, author, author)
    marker = f"{de.base_url}/pseudonyms/anon-a"

    async def count() -> int:
        _, body = await us.request("GET", f"/api/v1/cases/{case['local_id']}", token=author.token)
        return int(body["replies"][0]["helpful_count"])

    # The Like fails at the origin on a passing error, and waits for its retry.
    failures = 0
    apply_like = LikeReply.receive

    async def failing_once(self: LikeReply, envelope: Envelope, context: ApplyContext) -> None:
        nonlocal failures
        if failures == 0:
            failures += 1
            raise OperationalError("UPDATE replies", {}, Exception("database is locked"))
        await apply_like(self, envelope, context)

    monkeypatch.setattr(LikeReply, "receive", failing_once)
    like = {
        "@context": list(CANONICAL_CONTEXT),
        "id": f"{de.base_url}/activities/{uuid.uuid4().hex}",
        "type": "Like",
        "actor": marker,
        "object": reply["id"],
    }
    assert (await post_inbox(de, us, like))[0] == 202
    await eventually(lambda: _entry_state(us, like["id"], "pending", tried=True), what="a try")

    # The member takes the mark back before the retry: the Undo finds no mark.
    undo = undo_like(de, marker, marker, reply["id"])
    assert (await post_inbox(de, us, undo))[0] == 202
    await eventually(lambda: _applied(us, undo["id"]), what="the Undo applied")
    assert await _entry_state(us, like["id"], "undone")

    # The retry comes due: nothing is applied, the reply stays unmarked.
    async with us.state.db.write() as session:
        await session.execute(
            update(InboxEntry)
            .where(InboxEntry.activity_id == like["id"])
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    # Something stored after it and applied shows the worker has been past it.
    other = f"{de.base_url}/pseudonyms/anon-b"
    later = undo_like(de, other, other, reply["id"])
    assert (await post_inbox(de, us, later))[0] == 202
    await eventually(lambda: _applied(us, later["id"]), what="a later activity applied")
    assert await _entry_state(us, like["id"], "undone")
    assert await count() == 0

    marked_again = {**like, "id": f"{de.base_url}/activities/{uuid.uuid4().hex}"}
    assert (await post_inbox(de, us, marked_again))[0] == 202
    await eventually(lambda: _applied(us, marked_again["id"]), what="the new Like applied")
    # The member marked it again after taking it back: that later Like counts, once.
    assert await count() == 1
    assert failures == 1


async def _entry_state(node: TestNode, activity_id: str, state: str, tried: bool = False) -> bool:
    async with node.state.db.read() as session:
        entry = await session.scalar(
            select(InboxEntry).where(InboxEntry.activity_id == activity_id)
        )
    return entry is not None and entry.state == state and (entry.attempts > 0 or not tried)


@pytest.mark.postgres_only
async def test_an_undo_does_not_wait_for_a_like_another_worker_is_applying(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    origin = "https://de.example"
    marker = f"{origin}/pseudonyms/anon-a"
    like = {"id": f"{origin}/activities/l1", "type": "Like", "actor": marker, "object": "r1"}
    undo = {"id": f"{origin}/activities/u1", "type": "Undo", "actor": marker, "object": like}
    later = datetime.now(UTC) + timedelta(hours=1)  # this node's own worker leaves them be
    async with node.state.db.write() as session:
        for activity in (like, undo):
            session.add(
                InboxEntry(
                    activity_id=activity["id"],
                    signer_origin=origin,
                    key_id=f"{origin}/actor#main-key",
                    activity=json.dumps(activity),
                    raw=json.dumps(activity),
                    next_attempt_at=later,
                )
            )

    async def take_back() -> int:
        async with node.state.db.write() as session:
            return await undo_waiting(
                session,
                undo_id=undo["id"],
                signer_origin=origin,
                mentions=marker,
                matches=lambda activity: activity.get("type") == "Like",
            )

    # Another worker process has claimed the Like and is applying it: the Undo neither
    # waits for that row (a deadlock risk) nor lets the Like through; it is retried.
    async with node.state.db.write() as other_worker:
        await other_worker.execute(
            select(InboxEntry).where(InboxEntry.activity_id == like["id"]).with_for_update()
        )
        with pytest.raises(BeingApplied):
            await asyncio.wait_for(take_back(), 10)
    assert await take_back() == 1  # that worker's transaction ended: taken back now
    assert await _entry_state(node, like["id"], "undone")
