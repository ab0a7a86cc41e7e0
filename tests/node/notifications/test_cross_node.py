"""Notifications for what happens on other nodes: cases, replies and resolutions."""

from __future__ import annotations

import json

from tests.node.notifications.support import (
    follow,
    local_id_on,
    notifications,
    post_case,
    reply,
    settle,
    wait_for_notifications,
)
from tests.rig import TestNode


async def test_case_posted_on_a_peer_notifies_local_followers(
    pair: tuple[TestNode, TestNode],
) -> None:
    us, de = pair
    author = await us.add_member(name="Alice Carter", specialty="pediatrics")
    follower = await de.add_member(name="Jonas Weber")
    not_following = await de.add_member(name="Lena Schmidt")
    await follow(de, follower, "infectious-diseases")
    await follow(de, not_following, "cardiology")
    case = await post_case(us, author, anonymous=True)

    body = await wait_for_notifications(de, follower, 1, what="new case from the US node")
    [item] = body["items"]
    assert item["kind"] == "new_case"
    assert item["case"]["title"] == case["title"]
    assert item["case"]["local_id"] == await local_id_on(de, follower, case["id"])
    actor = item["actor"]
    assert (actor["anonymous"], actor["name"], actor["pseudonym"]) == (
        True,
        None,
        case["author"]["pseudonym"],
    )
    assert (actor["specialty"], actor["country"]) == ("pediatrics", "US")
    assert "Alice" not in json.dumps(body)
    await settle(de)
    assert (await notifications(de, not_following))["items"] == []


async def test_replies_and_resolution_across_nodes(pair: tuple[TestNode, TestNode]) -> None:
    us, de = pair
    author = await us.add_member(name="Alice Carter", specialty="pediatrics")
    us_answerer = await us.add_member(name="Ben Okafor")
    de_answerer = await de.add_member(name="Jonas Weber")
    case = await post_case(us, author)
    de_local = await local_id_on(de, de_answerer, case["id"])

    # A reply from the DE node in Alice's thread notifies Alice on the US node.
    de_reply = await reply(de, de_answerer, de_local, "Check MEFV for FMF before PFAPA.")
    body = await wait_for_notifications(us, author, 1, what="the DE reply at the origin")
    [item] = body["items"]
    assert item["kind"] == "reply"
    assert item["actor"]["name"] == "Jonas Weber" and item["actor"]["country"] == "DE"
    assert item["reply"]["excerpt"] == "Check MEFV for FMF before PFAPA."
    # Jonas's own reply, relayed back to him by the origin, does not notify him.
    await settle(de)

    # A reply on the US node reaches Jonas on the DE node: he answered the thread.
    await reply(us, us_answerer, case["local_id"], "Tonsillectomy helped two of mine.")
    body = await wait_for_notifications(de, de_answerer, 1, what="the US reply relayed to DE")
    [item] = body["items"]
    assert item["kind"] == "reply" and item["actor"]["name"] == "Ben Okafor"
    assert item["case"]["local_id"] == de_local

    # Alice resolves the case: both answerers hear of it, each on their own node.
    accepted = next(
        r["local_id"]
        for r in (await us.request("GET", f"/api/v1/cases/{case['local_id']}", token=author.token))[
            1
        ]["replies"]
        if r["id"] == de_reply["id"]
    )
    status, body = await us.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/resolution",
        token=author.token,
        json={"accepted_reply": accepted, "summary": "FMF.", "found_what_needed": True},
    )
    assert status == 201, body
    body = await wait_for_notifications(de, de_answerer, 2, what="the resolution on DE")
    assert [i["kind"] for i in body["items"]] == ["resolved", "reply"]
    # Ben answered after Jonas: nothing came before his own reply but the resolution.
    body = await wait_for_notifications(us, us_answerer, 1, what="the resolution on US")
    assert [i["kind"] for i in body["items"]] == ["resolved"]
    await settle(us)
    await settle(de)
    assert [i["kind"] for i in (await notifications(us, author))["items"]] == ["reply", "reply"]
    assert [i["kind"] for i in (await notifications(de, de_answerer))["items"]] == [
        "resolved",
        "reply",
    ]
