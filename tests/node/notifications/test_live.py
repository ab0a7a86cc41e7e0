"""The live unread count: GET /notifications/events as server-sent events."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from node.members.models import Role
from node.notifications.live import UNREAD_SIGNAL
from tests.node.notifications.support import (
    PASSWORD,
    add_unread,
    badge_text,
    browser,
    follow,
    member_id,
    post_case,
)
from tests.rig import NodeNetwork
from tests.waiting import eventually

EVENT_WAIT = 15.0  # generous: the machine is shared; nothing here depends on timing


async def next_event(response: aiohttp.ClientResponse) -> tuple[str, str]:
    """The next SSE block as (kind, data); a heartbeat comment is ("comment", text)."""
    raw = await asyncio.wait_for(response.content.readuntil(b"\n\n"), EVENT_WAIT)
    kind, data = "message", ""
    for line in raw.decode().strip().splitlines():
        field, _, value = line.partition(":")
        if field == "":
            kind, data = "comment", value.strip()
        elif field == "event":
            kind = value.strip()
        elif field == "data":
            data = value.strip()
        elif field == "retry":
            kind, data = "retry", value.strip()
    return kind, data


async def next_count(response: aiohttp.ClientResponse) -> int:
    while True:
        kind, data = await next_event(response)
        if kind == "unread":
            return int(json.loads(data)["unread_count"])


async def test_stream_pushes_the_unread_count_and_cleans_up(network: NodeNetwork) -> None:
    node = await network.spawn("US", notification_heartbeat_seconds=0.5)
    author = await node.add_member(specialty="pediatrics")
    reader = await node.add_member(password=PASSWORD)
    await follow(node, reader, "pediatrics")
    assert node.running is not None
    signal = node.running.app[UNREAD_SIGNAL]
    reader_id = await member_id(node, reader)

    async with browser(node, reader) as visitor:
        async with visitor.http.get(
            node.base_url + "/notifications/events", headers={"Accept": "text/event-stream"}
        ) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/event-stream")
            assert response.headers["Cache-Control"] == "no-store"
            assert await next_event(response) == ("retry", "5000")
            assert await next_count(response) == 0
            assert signal.listening(reader_id) == 1

            await post_case(node, author)
            assert await next_count(response) == 1
            await post_case(node, author, title="A second case")
            assert await next_count(response) == 2

            # Reading elsewhere (here: through the API) updates the open page too.
            status, body = await node.request(
                "POST", "/api/v1/notifications/read", token=reader.token, json={"all": True}
            )
            assert (status, body["unread_count"]) == (200, 0)
            assert await next_count(response) == 0

            # A quiet stream still says something now and then (proxies close idle ones).
            assert await next_event(response) == ("comment", "heartbeat")

        # The page went away: its stream unsubscribes (noticed at the next write at the
        # latest, which is the next heartbeat).
        await eventually(
            lambda: asyncio.sleep(0, result=signal.listening(reader_id) == 0),
            what="the closed stream to unsubscribe",
        )


async def test_stream_needs_a_signed_in_verified_member(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    pending = await node.add_member(verified=False, password=PASSWORD)
    headers = {"Accept": "text/event-stream"}
    async with node.http.get(node.base_url + "/notifications/events", headers=headers) as response:
        assert response.status == 401
    async with (
        browser(node, pending) as visitor,
        visitor.http.get(node.base_url + "/notifications/events", headers=headers) as response,
    ):
        assert response.status == 403


async def test_node_shutdown_ends_open_streams_promptly(network: NodeNetwork) -> None:
    node = await network.spawn("US")  # the default heartbeat: 25 seconds
    reader = await node.add_member(password=PASSWORD)
    async with (
        browser(node, reader) as visitor,
        visitor.http.get(
            node.base_url + "/notifications/events", headers={"Accept": "text/event-stream"}
        ) as response,
    ):
        assert await next_count(response) == 0
        await node.stop()
        # The stream was ended by the node, properly (a final empty chunk), not cut off
        # when the server's shutdown timeout ran out, which the client would report as
        # an incomplete payload.
        assert await asyncio.wait_for(response.content.read(), EVENT_WAIT) == b""


async def test_hiding_and_restoring_a_post_updates_open_badges(network: NodeNetwork) -> None:
    # The default heartbeat (25 s) is longer than EVENT_WAIT: only the hiding itself
    # can make the open stream count again in time.
    node = await network.spawn("US")
    author = await node.add_member(specialty="pediatrics")
    reader = await node.add_member(password=PASSWORD)
    moderator = await node.add_member(role=Role.MODERATOR)
    await follow(node, reader, "pediatrics")

    async with (
        browser(node, reader) as visitor,
        visitor.http.get(
            node.base_url + "/notifications/events", headers={"Accept": "text/event-stream"}
        ) as response,
    ):
        assert await next_count(response) == 0
        case = await post_case(node, author)
        assert await next_count(response) == 1

        status, _ = await node.request(
            "POST",
            "/api/v1/reports",
            token=moderator.token,
            json={"object": case["local_id"], "reason": "spam"},
        )
        assert status == 201
        _, listing = await node.request("GET", "/api/v1/admin/reports", token=moderator.token)
        report = listing["items"][0]["id"]
        decision = {"action": "hide", "reason": "advertising, not a case"}
        status, _ = await node.request(
            "POST",
            f"/api/v1/admin/reports/{report}/decision",
            token=moderator.token,
            json=decision,
        )
        assert status == 200
        assert await next_count(response) == 0  # the hidden case's notification

        status, _ = await node.request(
            "POST",
            f"/api/v1/admin/reports/{report}/restore",
            token=moderator.token,
            json={"reason": "a real case after all"},
        )
        assert status == 200
        assert await next_count(response) == 1


async def test_the_badge_stops_counting_at_99_plus(network: NodeNetwork) -> None:
    """A member who never reads must not make every page count thousands of rows: the
    badge (page and stream) counts up to 100 and shows "99+"; the API stays exact."""
    node = await network.spawn("US")
    author = await node.add_member(specialty="pediatrics")
    reader = await node.add_member(password=PASSWORD)
    case = await post_case(node, author)
    await add_unread(node, reader, case["local_id"], 120)
    _, listing = await node.request("GET", "/api/v1/notifications", token=reader.token)
    assert listing["unread_count"] == 120

    async with browser(node, reader) as visitor:
        assert badge_text((await visitor.get("/")).html) == "99+"
        async with visitor.http.get(
            node.base_url + "/notifications/events", headers={"Accept": "text/event-stream"}
        ) as response:
            assert await next_event(response) == ("retry", "5000")
            assert await next_count(response) == 100  # the script shows "99+" from 100
