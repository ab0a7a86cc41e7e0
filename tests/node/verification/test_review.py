"""Reviewers decide claims and admins change statuses, through the state graph, audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from node.members.models import Role
from tests.node.verification.support import (
    ADA,
    audit,
    claim,
    claimant,
    member_status,
    reviewer,
    run_import,
    set_status,
    standard_register,
)
from tests.rig import Account, NodeNetwork, TestNode

PROBLEM = "https://w3id.org/curbside/problems/"
QUEUE = "/api/v1/admin/verification/claims"


async def decide(
    node: TestNode, who: Account, claim_id: int, decision: str, reason: str = "checked the scan"
) -> tuple[int, Any]:
    return await node.request(
        "POST",
        f"{QUEUE}/{claim_id}/decision",
        token=who.token,
        json={"decision": decision, "reason": reason},
    )


async def set_member(node: TestNode, who: Account, public_id: str, status: str) -> tuple[int, Any]:
    return await node.request(
        "POST",
        f"/api/v1/admin/members/{public_id}/status",
        token=who.token,
        json={"status": status, "reason": f"test: {status}"},
    )


async def queued(node: TestNode, number: str = "1234567893", **names: str) -> tuple[Account, int]:
    account = await claimant(node)
    status, body = await claim(
        node, account, number, names.get("family", "Lovelace"), names.get("given", "Ada")
    )
    assert (status, body["claim"]["state"]) == (201, "pending"), body
    return account, body["claim"]["id"]


async def test_the_queue_shows_reviewers_what_they_need(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "npidata.csv"))
    first, first_id = await queued(node, ADA, family="Babbage", given="Charles")
    _, second_id = await queued(node)
    moderator = await reviewer(node)
    status, page = await node.request("GET", QUEUE + "?limit=1", token=moderator.token)
    assert status == 200
    [item] = page["items"]
    assert item["id"] == first_id
    assert (item["licence"], item["family_name"], item["match_reason"]) == (
        ADA,
        "Babbage",
        "family_name_differs",
    )
    assert "LOVELACE" in item["match_detail"]  # reviewers do see the register's spelling
    assert item["listed_in"] == "nppes"
    assert item["member"]["public_id"] == first.public_id
    status, page = await node.request(
        "GET", f"{QUEUE}?limit=1&cursor={page['next']}", token=moderator.token
    )
    assert [i["id"] for i in page["items"]] == [second_id]
    status, body = await node.request("GET", QUEUE + "?state=bogus", token=moderator.token)
    assert (status, body["type"]) == (400, PROBLEM + "invalid-query")
    member = await node.add_member()
    status, body = await node.request("GET", QUEUE, token=member.token)
    assert (status, body["type"]) == (403, PROBLEM + "reviewers-only")


async def test_verify_and_reject_decisions(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    accepted, accepted_id = await queued(node)
    rejected, rejected_id = await queued(node, "9876543213")
    moderator = await reviewer(node)
    status, body = await decide(node, moderator, accepted_id, "verify", "licence card matches")
    assert status == 200, body
    assert (body["state"], body["decided_by"]) == ("accepted", f"member:{moderator.public_id}")
    assert body["decision_reason"] == "licence card matches"
    assert await member_status(node, accepted.public_id) == "verified"
    status, body = await decide(node, moderator, rejected_id, "reject", "scan unreadable")
    assert (status, body["state"]) == (200, "rejected")
    assert await member_status(node, rejected.public_id) == "rejected"
    [verify] = await audit(node, "verification.verify")
    assert verify.actor == f"member:{moderator.public_id}"
    assert verify.subject == f"member:{accepted.public_id}"
    assert verify.reason == "licence card matches"
    assert verify.details == {
        "from": "pending",
        "to": "verified",
        "claim": accepted_id,
        "register": None,
    }
    [reject] = await audit(node, "verification.reject")
    assert (reject.actor, reject.reason) == (f"member:{moderator.public_id}", "scan unreadable")
    status, body = await node.request("GET", QUEUE + "?state=accepted", token=moderator.token)
    assert [item["id"] for item in body["items"]] == [accepted_id]
    # Decided is decided.
    status, body = await decide(node, moderator, accepted_id, "reject")
    assert (status, body["type"]) == (409, PROBLEM + "claim-decided")
    assert (await decide(node, moderator, 999_999, "verify"))[0] == 404
    status, body = await decide(node, moderator, rejected_id, "maybe")
    assert status == 422
    status, body = await node.request(
        "POST",
        f"{QUEUE}/{rejected_id}/decision",
        token=moderator.token,
        json={"decision": "verify"},
    )
    assert status == 422  # a reason is required


async def test_a_decision_on_a_member_in_the_wrong_state_is_409(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account, claim_id = await queued(node)
    await set_status(node, account.public_id, "revoked")  # e.g. revoked while waiting
    moderator = await reviewer(node)
    status, body = await decide(node, moderator, claim_id, "verify")
    assert status == 409
    assert body["type"] == PROBLEM + "invalid-transition"
    assert "'revoked'" in body["detail"] and "'verified'" in body["detail"]
    assert await member_status(node, account.public_id) == "revoked"
    assert await audit(node, "verification.verify") == []


async def test_verifying_a_licence_someone_else_holds_is_409(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "npidata.csv"))
    _, claim_id = await queued(node, ADA, family="Byron", given="Ada")
    holder = await claimant(node)
    assert (await claim(node, holder, ADA, "Lovelace", "Ada"))[1]["status"] == "verified"
    moderator = await reviewer(node)
    status, body = await decide(node, moderator, claim_id, "verify")
    assert (status, body["type"]) == (409, PROBLEM + "licence-taken")
    status, body = await node.request("GET", QUEUE, token=moderator.token)
    assert [item["id"] for item in body["items"]] == [claim_id]  # still pending
    [conflict] = await audit(node, "verification.claim.conflict")
    assert conflict.actor == f"member:{moderator.public_id}"


async def test_admins_suspend_restore_and_revoke(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    admin = await reviewer(node, Role.ADMIN)
    moderator = await reviewer(node)
    member = await node.add_member()
    path_member = member.public_id
    status, body = await set_member(node, moderator, path_member, "suspended")
    assert (status, body["type"]) == (403, PROBLEM + "admins-only")
    status, body = await set_member(node, admin, path_member, "suspended")
    assert (status, body) == (
        200,
        {"public_id": path_member, "status": "suspended", "previous_status": "verified"},
    )
    status, body = await set_member(node, admin, path_member, "suspended")
    assert (status, body["type"]) == (409, PROBLEM + "invalid-transition")
    assert "from 'suspended' to 'suspended'" in body["detail"]
    assert (await set_member(node, admin, path_member, "verified"))[1]["status"] == "verified"
    assert (await set_member(node, admin, path_member, "revoked"))[1]["status"] == "revoked"
    status, body = await set_member(node, admin, path_member, "verified")
    assert status == 409 and "'revoked'" in body["detail"]
    pending = await claimant(node)
    for target in ("suspended", "verified"):
        status, body = await set_member(node, admin, pending.public_id, target)
        assert status == 409, target
        assert "'pending'" in body["detail"]
    assert (await set_member(node, admin, "nobody", "suspended"))[0] == 404
    assert (await set_member(node, admin, admin.public_id, "suspended"))[0] == 403
    status, _ = await node.request(
        "POST",
        f"/api/v1/admin/members/{path_member}/status",
        token=admin.token,
        json={"status": "pending", "reason": "x"},
    )
    assert status == 422
    actions = [
        (entry.action, entry.reason, entry.details["from"] if entry.details else None)
        for action in ("verification.suspend", "verification.verify", "verification.revoke")
        for entry in await audit(node, action)
    ]
    assert actions == [
        ("verification.suspend", "test: suspended", "verified"),
        ("verification.verify", "test: verified", "suspended"),
        ("verification.revoke", "test: revoked", "verified"),
    ]
    assert all(
        entry.actor == f"member:{admin.public_id}"
        for entry in await audit(node, "verification.suspend")
    )
    # Suspended and revoked members are refused case content.
    assert (await node.request("GET", "/api/v1/cases", token=member.token))[0] == 403
