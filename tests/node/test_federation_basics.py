"""Two and three real nodes on loopback: discovery, peering, a federated case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually

CASE = {
    "title": "Toddler with recurrent fevers",
    "body": "Three-year-old with fevers every 4 weeks, aphthous ulcers and pharyngitis.",
    "question": "PFAPA or something else? Which work-up before a steroid trial?",
    "specialties": ["pediatrics", "infectious-diseases"],
    "language": "en",
    "audience": "federated",
    "anonymous": False,
    "age_band": "1-4",
    "sex": "female",
}


async def case_titles(node: TestNode, token: str) -> list[str]:
    status, body = await node.request("GET", "/api/v1/cases", token=token)
    assert status == 200, body
    return [item["title"] for item in body["items"]]


async def test_discovery_documents(network: NodeNetwork) -> None:
    node = await network.spawn("DE", locale="de")
    status, actor = await node.request("GET", "/actor")
    assert status == 200
    assert actor["type"] == "Application"
    assert actor["inbox"] == node.base_url + "/inbox"
    assert actor["country"] == "DE"
    assert actor["assertionMethod"][0]["publicKeyMultibase"].startswith("z6Mk")
    assert "BEGIN PUBLIC KEY" in actor["publicKey"]["publicKeyPem"]
    status, finger = await node.request(
        "GET", f"/.well-known/webfinger?resource=acct:node@{node.config.domain}"
    )
    assert status == 200 and finger["links"][0]["href"] == node.base_url + "/actor"
    assert (await node.request("GET", "/.well-known/webfinger?resource=acct:someone@x.org"))[
        0
    ] == 404
    status, links = await node.request("GET", "/.well-known/nodeinfo")
    assert status == 200
    assert links["links"][0]["href"] == node.base_url + "/nodeinfo/2.1"
    status, info = await node.request("GET", "/nodeinfo/2.1")
    assert status == 200
    assert info["software"]["name"] == "curbside"
    assert info["metadata"]["country"] == "DE"
    assert "de" in info["metadata"]["languages"]


async def test_federated_case_reaches_peer_and_node_case_does_not(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member(name="Alice Carter", specialty="pediatrics")
    reader = await de.add_member(specialty="nephrology")

    status, created = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, created
    local_only = {**CASE, "title": "Internal audit case", "audience": "node"}
    assert (await us.request("POST", "/api/v1/cases", token=author.token, json=local_only))[
        0
    ] == 201

    async def arrived() -> Any:
        return CASE["title"] in await case_titles(de, reader.token)

    await eventually(arrived, what="the case on DE")
    status, listing = await de.request("GET", "/api/v1/cases", token=reader.token)
    [remote] = listing["items"]
    assert remote["id"] == created["id"]
    assert remote["origin"] == us.base_url
    assert remote["local_id"] != created["local_id"]
    assert remote["author"] == {
        "anonymous": False,
        "name": "Alice Carter",
        "pseudonym": None,
        "specialty": "pediatrics",
        "country": "US",
        "verified_by": us.base_url,
        "status": "verified",
    }
    assert remote["specialties"] == CASE["specialties"]
    assert (remote["age_band"], remote["sex"]) == ("1-4", "female")
    # The node-only case never left the US node.
    await us.state.federation.delivery.tick()
    assert "Internal audit case" not in await case_titles(de, reader.token)
    async with us.state.db.read() as session:
        bodies = (await session.execute(text("SELECT body FROM outbox"))).scalars().all()
    assert all("Internal audit case" not in body for body in bodies)
