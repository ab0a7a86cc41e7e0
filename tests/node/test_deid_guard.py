"""The de-identification guard blocks identifying cases and replies on the API."""

from __future__ import annotations

from sqlalchemy import func, select

from node.members.models import Role
from node.outbox.models import OutboxEntry
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork

IDENTIFYING = {
    **CASE,
    "body": "Mrs. Johanna Keller, seen on 14 March 2024, phone 555-123-4567, has recurrent fevers.",
}


async def test_scan_endpoint(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await node.add_member()
    status, body = await node.request(
        "POST",
        "/api/v1/deid/scan",
        token=account.token,
        json={"text": IDENTIFYING["body"], "language": "en"},
    )
    assert status == 200
    kinds = {finding["kind"] for finding in body["findings"]}
    assert {"name", "date", "phone"} <= kinds
    first = body["findings"][0]
    assert IDENTIFYING["body"][first["start"] : first["end"]] == first["text"]
    assert (await node.request("POST", "/api/v1/deid/scan", json={"text": "x", "language": "en"}))[
        0
    ] == 401


async def test_identifying_case_is_refused_and_nothing_is_stored(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await node.add_member()
    status, problem = await node.request(
        "POST", "/api/v1/cases", token=account.token, json=IDENTIFYING
    )
    assert status == 422
    assert problem["type"].endswith("identifying-details")
    found = {(f["field"], f["kind"], f["text"]) for f in problem["findings"]}
    assert ("body", "name", "Johanna Keller") in found
    assert ("body", "phone", "555-123-4567") in found
    _, listing = await node.request("GET", "/api/v1/cases", token=account.token)
    assert listing["items"] == []
    async with node.state.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


async def test_acknowledged_findings_pass_and_are_flagged_to_moderators(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    moderator = await node.add_member(role=Role.MODERATOR)
    _, problem = await node.request("POST", "/api/v1/cases", token=author.token, json=IDENTIFYING)
    partial = [{"kind": f["kind"], "text": f["text"]} for f in problem["findings"][:1]]
    status, again = await node.request(
        "POST",
        "/api/v1/cases",
        token=author.token,
        json={**IDENTIFYING, "acknowledged_findings": partial},
    )
    assert status == 422 and len(again["findings"]) == len(problem["findings"]) - 1
    every = [{"kind": f["kind"], "text": f["text"]} for f in problem["findings"]]
    status, case = await node.request(
        "POST",
        "/api/v1/cases",
        token=author.token,
        json={**IDENTIFYING, "acknowledged_findings": every},
    )
    assert status == 201, case
    assert (await node.request("GET", "/api/v1/admin/deid/flags", token=author.token))[0] == 403
    status, flags = await node.request("GET", "/api/v1/admin/deid/flags", token=moderator.token)
    assert status == 200
    assert {item["text"] for item in flags["items"]} == {f["text"] for f in problem["findings"]}
    assert all(item["object_iri"] == case["id"] for item in flags["items"])


async def test_replies_and_edits_are_guarded_too(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    other = await node.add_member()
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    status, problem = await node.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/replies",
        token=other.token,
        json={"content": "I saw her brother, Mr. Piotr Nowak, at our clinic on 03/14/2024."},
    )
    assert status == 422, problem
    status, reply = await node.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/replies",
        token=other.token,
        json={
            "content": "Consider Kawasaki disease; CRP 120 mg/L and amoxicillin 500 mg 3x/day fit."
        },
    )
    assert status == 201, reply  # clinical text with eponyms, doses and labs passes untouched
    status, _ = await node.request(
        "PATCH",
        f"/api/v1/replies/{reply['local_id']}",
        token=other.token,
        json={"content": "Email me at piotr.nowak@example.org"},
    )
    assert status == 422
    status, _ = await node.request(
        "PATCH",
        f"/api/v1/cases/{case['local_id']}",
        token=author.token,
        json={"body": "Update: seen again on 2024-03-20 at 221B Baker Street."},
    )
    assert status == 422
    _, detail = await node.request("GET", f"/api/v1/cases/{case['local_id']}", token=author.token)
    assert detail["body"] == CASE["body"]
