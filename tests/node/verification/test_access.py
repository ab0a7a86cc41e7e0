"""Only verified members read or post case content; everyone else is sent to their status."""

from __future__ import annotations

import pytest

from tests.node.verification.support import claimant, set_status
from tests.rig import NodeNetwork

NOT_VERIFIED = "https://w3id.org/curbside/problems/not-verified"
CASE = {
    "title": "Recurrent fever",
    "body": "A man in his forties with recurrent fevers.",
    "question": "What should we look for?",
    "specialties": ["infectious-diseases"],
    "language": "en",
    "audience": "node",
    "anonymous": False,
}


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended", "revoked"])
async def test_case_content_is_for_verified_members_only(network: NodeNetwork, status: str) -> None:
    node = await network.spawn("US")
    account = await claimant(node)
    await set_status(node, account.public_id, status)
    for method, json in (("GET", None), ("POST", CASE)):
        code, body = await node.request(method, "/api/v1/cases", token=account.token, json=json)
        assert code == 403, (method, body)
        assert body["type"] == NOT_VERIFIED
        assert repr(status) in body["detail"]
        assert "/api/v1/me/verification" in body["detail"]
    # What they can still see is where they stand.
    code, body = await node.request("GET", "/api/v1/me/verification", token=account.token)
    assert (code, body["status"]) == (200, status)


async def test_verified_members_get_in(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await node.add_member(verified=True)
    assert (await node.request("POST", "/api/v1/cases", token=account.token, json=CASE))[0] == 201
    assert (await node.request("GET", "/api/v1/cases", token=account.token))[0] == 200
