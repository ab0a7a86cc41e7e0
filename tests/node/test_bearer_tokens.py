"""Bearer tokens: a live token names its member; an unknown, revoked or expired one
gets 401, whatever else about it is right."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update

from node.db.types import utcnow
from node.members.models import ApiToken, Member
from tests.rig import NodeNetwork, TestNode


async def test_revoked_and_expired_tokens_are_refused(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    kept, revoked, expired = [await node.add_member() for _ in range(3)]
    for account in (kept, revoked, expired):
        status, me = await node.request("GET", "/api/v1/me", token=account.token)
        assert status == 200 and me["public_id"] == account.public_id, me
    async with node.state.db.write() as session:
        for account, column in ((revoked, "revoked_at"), (expired, "expires_at")):
            await session.execute(
                update(ApiToken)
                .where(
                    ApiToken.member_id
                    == select(Member.id).where(Member.email == account.email).scalar_subquery()
                )
                .values({column: utcnow() - timedelta(seconds=1)})
            )
    for account in (revoked, expired):
        status, problem = await node.request("GET", "/api/v1/me", token=account.token)
        assert status == 401, problem
    status, _ = await node.request("GET", "/api/v1/me", token=kept.token + "x")
    assert status == 401
    status, me = await node.request("GET", "/api/v1/me", token=kept.token)
    assert status == 200 and me["public_id"] == kept.public_id


async def raw_status(node: TestNode, request: bytes) -> int:
    host, port = node.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 30)
    finally:
        writer.close()
    return int(status_line.split()[1])


async def test_a_token_that_is_not_utf8_is_a_401(network: NodeNetwork) -> None:
    # Header bytes that are not UTF-8 reach the handler as surrogate escapes, which
    # cannot be encoded back to hash the token.
    node = await network.spawn("US")
    request = (
        b"GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer cs_\xff\xfe\r\nConnection: close\r\n\r\n"
    )
    assert await raw_status(node, request) == 401


async def test_a_session_cookie_that_is_not_utf8_is_no_session(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    request = (
        b"GET /notifications HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n"
        b"Cookie: cs_session=\xff\xfe\r\nConnection: close\r\n\r\n"
    )
    assert await raw_status(node, request) in (302, 303, 401)  # asked to sign in
