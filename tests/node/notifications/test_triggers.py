"""Who is notified of what on one node: new cases, replies, resolutions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from node.members.models import Role
from node.notifications import triggers
from node.notifications.models import Notification
from tests.node.notifications.support import (
    follow,
    notifications,
    post_case,
    reply,
    settle,
    wait_for_notifications,
)
from tests.rig import NodeNetwork


async def test_new_case_notifies_followers_but_not_its_author(
    network: NodeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Followers are stored in several INSERTs when there are many: make "many" small.
    monkeypatch.setattr(triggers, "INSERT_CHUNK", 1)
    node = await network.spawn("US")
    author = await node.add_member(name="Alice Carter", specialty="pediatrics")
    follower = await node.add_member(name="Ben Okafor")
    other_follower = await node.add_member(name="Chen Li")
    bystander = await node.add_member(name="Dana Smith")
    pending = await node.add_member(name="Eve Novak", verified=False)
    await follow(node, author, "pediatrics")  # follows her own specialty
    await follow(node, follower, "pediatrics", "infectious-diseases")  # matches twice
    await follow(node, other_follower, "infectious-diseases")
    await follow(node, bystander, "dermatology")
    await follow(node, pending, "pediatrics")

    case = await post_case(node, author)
    body = await wait_for_notifications(node, follower, 1)
    await wait_for_notifications(node, other_follower, 1)
    await settle(node)
    [item] = (await notifications(node, follower))["items"]  # one, though two specialties match
    assert item["kind"] == "new_case"
    assert item["read"] is False
    assert item["case"] == {
        "local_id": case["local_id"],
        "title": case["title"],
        "status": "open",
        "specialties": ["pediatrics", "infectious-diseases"],
    }
    assert item["actor"]["name"] == "Alice Carter"
    assert item["reply"] is None
    assert body["unread_count"] == 1
    assert (await notifications(node, author))["items"] == []
    assert (await notifications(node, bystander))["items"] == []
    # Not verified: no notifications are kept for them, and the list is refused.
    status, refused = await node.request("GET", "/api/v1/notifications", token=pending.token)
    assert status == 403 and refused["type"].endswith("/not-verified")
    async with node.state.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Notification)) == 2


async def test_anonymous_author_stays_anonymous(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Alice Carter", specialty="pediatrics")
    follower = await node.add_member(name="Ben Okafor")
    await follow(node, follower, "pediatrics")
    case = await post_case(node, author, anonymous=True)
    await reply(node, author, case["local_id"], "Update: the ESR is normal.", anonymous=True)
    body = await wait_for_notifications(node, follower, 1)
    [item] = body["items"]
    assert item["actor"]["anonymous"] is True
    assert item["actor"]["pseudonym"] == case["author"]["pseudonym"]
    text = json.dumps(body)
    assert "Alice" not in text and "Carter" not in text and author.email not in text
    assert author.public_id not in text


async def test_replies_notify_the_thread_once_each_and_never_the_writer(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Alice Carter")
    first = await node.add_member(name="Ben Okafor")
    second = await node.add_member(name="Chen Li")
    outsider = await node.add_member(name="Dana Smith")
    case = await post_case(node, author)
    local = case["local_id"]

    r1 = await reply(node, first, local, "Check MEFV for FMF.")
    body = await wait_for_notifications(node, author, 1)
    assert body["items"][0]["kind"] == "reply"
    assert body["items"][0]["reply"]["local_id"] == r1["local_id"]
    assert body["items"][0]["reply"]["excerpt"] == "Check MEFV for FMF."
    assert body["items"][0]["actor"]["name"] == "Ben Okafor"

    await reply(node, second, local, "Tonsillectomy helped two of mine.", anonymous=True)
    await wait_for_notifications(node, author, 2)
    body = await wait_for_notifications(node, first, 1)  # he answered the thread
    assert body["items"][0]["actor"]["anonymous"] is True
    assert "Chen" not in json.dumps(body)

    await reply(node, first, local, "And a CRP between episodes.")
    await wait_for_notifications(node, author, 3)
    await wait_for_notifications(node, second, 1)
    await reply(node, author, local, "Thanks, both.")
    await wait_for_notifications(node, first, 2)
    await wait_for_notifications(node, second, 2)
    await settle(node)

    # Nobody hears of their own replies; one notification per reply per member.
    def authors(listing: dict[str, Any]) -> list[str]:
        return [
            item["actor"]["pseudonym"] if item["actor"]["anonymous"] else item["actor"]["name"]
            for item in listing["items"]
        ]

    pseudonym = (await notifications(node, first))["items"][1]["actor"]["pseudonym"]
    assert authors(await notifications(node, author)) == ["Ben Okafor", pseudonym, "Ben Okafor"]
    assert authors(await notifications(node, first)) == ["Alice Carter", pseudonym]
    assert authors(await notifications(node, second)) == ["Alice Carter", "Ben Okafor"]
    assert (await notifications(node, outsider))["items"] == []


async def test_resolution_notifies_answerers(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Alice Carter")
    answerer = await node.add_member(name="Ben Okafor")
    moderator = await node.add_member(name="Mo Derator", role=Role.MODERATOR)
    case = await post_case(node, author)
    accepted = await reply(node, answerer, case["local_id"], "Check MEFV for FMF.")
    await wait_for_notifications(node, author, 1)
    status, body = await node.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/resolution",
        token=author.token,
        json={
            "accepted_reply": accepted["local_id"],
            "summary": "FMF confirmed; colchicine started.",
            "found_what_needed": True,
        },
    )
    assert status == 201, body
    body = await wait_for_notifications(node, answerer, 1)
    [item] = body["items"]
    assert item["kind"] == "resolved"
    assert item["case"]["status"] == "resolved"
    await settle(node)
    # The author resolved it: only the reply notification for her.
    assert [i["kind"] for i in (await notifications(node, author))["items"]] == ["reply"]
    assert (await notifications(node, moderator))["items"] == []
