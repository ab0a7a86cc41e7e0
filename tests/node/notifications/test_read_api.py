"""Listing notifications (newest first, paged) and marking them read."""

from __future__ import annotations

from typing import Any

from tests.node.notifications.support import (
    follow,
    notifications,
    post_case,
    wait_for_notifications,
)
from tests.rig import NodeNetwork


async def test_list_pages_and_read_marks(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(specialty="pediatrics")
    reader = await node.add_member()
    other = await node.add_member()
    await follow(node, reader, "pediatrics")
    await follow(node, other, "pediatrics")
    titles = [f"Case number {n}" for n in range(5)]
    for title in titles:
        await post_case(node, author, title=title)
        # One at a time, so the order of the notifications is the order of the cases.
        await wait_for_notifications(node, reader, titles.index(title) + 1)
    await wait_for_notifications(node, other, 5)

    page = await notifications(node, reader, "?limit=2")
    assert [i["case"]["title"] for i in page["items"]] == ["Case number 4", "Case number 3"]
    assert page["unread_count"] == 5 and page["next"]
    page2 = await notifications(node, reader, f"?limit=2&before={page['next']}")
    assert [i["case"]["title"] for i in page2["items"]] == ["Case number 2", "Case number 1"]
    page3 = await notifications(node, reader, f"?limit=2&before={page2['next']}")
    assert [i["case"]["title"] for i in page3["items"]] == ["Case number 0"]
    assert page3["next"] is None

    # Mark two read by id; the other member's ids are silently not theirs to mark.
    others = [i["id"] for i in (await notifications(node, other))["items"]]
    ids = [page["items"][0]["id"], page2["items"][1]["id"]]
    status, body = await node.request(
        "POST", "/api/v1/notifications/read", token=reader.token, json={"ids": [*ids, *others]}
    )
    assert (status, body) == (200, {"marked": 2, "unread_count": 3})
    listing = await notifications(node, reader)
    assert [i["read"] for i in listing["items"]] == [True, False, False, True, False]
    unread = await notifications(node, reader, "?unread=true")
    assert [i["case"]["title"] for i in unread["items"]] == [
        "Case number 3",
        "Case number 2",
        "Case number 0",
    ]
    assert (await notifications(node, other))["unread_count"] == 5

    # Marking again changes nothing; "all" marks the rest.
    status, body = await node.request(
        "POST", "/api/v1/notifications/read", token=reader.token, json={"ids": ids}
    )
    assert (status, body) == (200, {"marked": 0, "unread_count": 3})
    status, body = await node.request(
        "POST", "/api/v1/notifications/read", token=reader.token, json={"all": True}
    )
    assert (status, body) == (200, {"marked": 3, "unread_count": 0})
    assert (await notifications(node, other))["unread_count"] == 5


async def test_bad_requests(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    member = await node.add_member()
    payload: dict[str, Any]
    for payload in ({}, {"ids": []}, {"all": False}, {"ids": ["x"], "all": True}, {"ids": "x"}):
        status, body = await node.request(
            "POST", "/api/v1/notifications/read", token=member.token, json=payload
        )
        assert status == 422, (payload, body)
    for query in ("?limit=0", "?limit=101", "?limit=ten", "?unread=maybe", "?colour=red"):
        status, body = await node.request(
            "GET", f"/api/v1/notifications{query}", token=member.token
        )
        assert status == 400, (query, body)
    status, _ = await node.request("GET", "/api/v1/notifications")
    assert status == 401
    status, _ = await node.request("POST", "/api/v1/notifications/read", json={"all": True})
    assert status == 401
