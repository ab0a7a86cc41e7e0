"""A reader who leaves while an event stream opens is not an error: a page's
EventSource is dropped when the browser moves on, often before the stream's headers
go out. The stream ends quietly, with no "unhandled error" (and no 500) in the log."""

from __future__ import annotations

import asyncio
import logging
import socket
import struct

import pytest

from tests.node.pages.browsing import PASSWORD, browser
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually


async def hang_up_on(node: TestNode, path: str, cookie: str) -> None:
    """Ask for the stream as a browser would, then drop the connection at once with a
    reset (SO_LINGER 0), as a tab that navigates away does."""
    _, writer = await asyncio.open_connection("127.0.0.1", node.port)
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {node.config.domain}\r\n"
            f"Accept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


@pytest.mark.sqlite_only  # connection handling, not storage
async def test_leaving_as_a_stream_opens_is_not_an_error(
    network: NodeNetwork, caplog: pytest.LogCaptureFixture
) -> None:
    node = await network.spawn("US")
    member = await node.add_member(password=PASSWORD)
    _, case = await node.request("POST", "/api/v1/cases", token=member.token, json=CASE)
    async with browser(node, member) as visitor:
        cookie = "; ".join(f"{c.key}={c.value}" for c in visitor.http.cookie_jar)

    streams = ("/notifications/events", f"/cases/{case['local_id']}/events")
    with caplog.at_level(logging.INFO, logger="curbside"):
        for path in streams:
            for _ in range(3):
                await hang_up_on(node, path, cookie)

        async def all_ended() -> bool:
            ended = [r for r in caplog.records if r.getMessage() == "request"]
            return all(sum(getattr(r, "path", "") == path for r in ended) == 3 for path in streams)

        await eventually(all_ended, what="every dropped stream to end")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    statuses = {getattr(r, "status", None) for r in caplog.records if r.getMessage() == "request"}
    assert 500 not in statuses
