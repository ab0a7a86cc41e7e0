"""Bearer tokens: a live token names its member; an unknown, revoked or expired one
gets 401, whatever else about it is right."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from node.db.types import utcnow
from node.members.models import ApiToken, Member
from tests.rig import NodeNetwork


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
