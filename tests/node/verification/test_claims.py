"""Claims: matched at once, queued for review with a reason, or refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from node.members.service import NewMember, add_member
from node.verification.models import LicenceClaim, LicenceHold
from tests.node.verification.support import (
    ADA,
    BEN,
    CLEO,
    audit,
    claim,
    claimant,
    member_id,
    member_status,
    run_import,
    set_status,
    standard_register,
)
from tests.rig import NodeNetwork, TestNode

PROBLEM = "https://w3id.org/curbside/problems/"
UNKNOWN = "1234567893"


async def node_with_register(network: NodeNetwork, tmp_path: Path, **settings: Any) -> TestNode:
    node = await network.spawn("US", **settings)
    await run_import(node, standard_register(tmp_path / "npidata.csv", deactivated=(CLEO,)))
    return node


async def claims_of(node: TestNode, public_id: str) -> list[LicenceClaim]:
    owner = await member_id(node, public_id)
    async with node.state.db.read() as session:
        rows = await session.scalars(
            select(LicenceClaim).where(LicenceClaim.member_id == owner).order_by(LicenceClaim.id)
        )
        return list(rows)


async def test_matching_claim_verifies_at_once(network: NodeNetwork, tmp_path: Path) -> None:
    node = await node_with_register(network, tmp_path)
    account = await claimant(node)
    # Typed the way people type: spaces in the number, the umlaut spelt out.
    status, body = await claim(node, account, f"{BEN[:4]} {BEN[4:]}", "Mueller", "benedikt")
    assert status == 201, body
    assert body["status"] == "verified"
    assert (body["claim"]["state"], body["claim"]["reason"]) == ("accepted", "matched")
    assert body["next_step"] == "none"
    _, me = await node.request("GET", "/api/v1/me", token=account.token)
    assert me["status"] == "verified"
    assert me["verified_at"] is not None
    [entry] = await audit(node, "verification.verify")
    assert (entry.actor, entry.subject) == ("system", f"member:{account.public_id}")
    assert entry.reason == "register match"
    assert entry.details is not None and entry.details["register"] == "nppes"
    async with node.state.db.read() as session:
        hold = await session.get(LicenceHold, await member_id(node, account.public_id))
    assert hold is not None and (hold.licence_id, hold.register) == (BEN, "nppes")
    assert (await node.request("GET", "/api/v1/cases", token=account.token))[0] == 200


async def test_claims_that_go_to_review_say_why(network: NodeNetwork, tmp_path: Path) -> None:
    node = await node_with_register(network, tmp_path)
    cases = [
        (UNKNOWN, "Lovelace", "Ada", "number_unknown"),
        (ADA, "Babbage", "Charles", "names_differ"),
        (ADA, "Lovelace", "Augusta", "names_differ"),
        (CLEO, "de la Cruz", "Cleopatra", "licence_inactive"),
    ]
    for licence, family, given, reason in cases:
        account = await claimant(node)
        status, body = await claim(node, account, licence, family, given)
        assert status == 201, body
        assert body["status"] == "pending"
        assert body["claim"]["state"] == "pending"
        assert body["claim"]["reason"] == reason, (licence, family)
        assert body["next_step"] == "upload-document"
        # Nothing of the register's entry comes back, only the reason.
        text = json.dumps(body).lower()
        assert "lovelace" not in text or family == "Lovelace"
        assert "207r00000x" not in text
        _, mine = await node.request("GET", "/api/v1/me/verification", token=account.token)
        assert mine["claim"]["reason"] == reason
        assert mine["next_step"] == "upload-document"
        assert "lovelace" not in json.dumps(mine).lower() or family == "Lovelace"
    claims = await audit(node, "verification.claim")
    assert [entry.details["match"] for entry in claims if entry.details] == [
        "number_unknown",
        "family_name_differs",
        "given_names_differ",
        "licence_inactive",
    ]


async def test_a_new_claim_replaces_the_pending_one(network: NodeNetwork, tmp_path: Path) -> None:
    node = await node_with_register(network, tmp_path)
    account = await claimant(node)
    assert (await claim(node, account, UNKNOWN, "Lovelace", "Ada"))[0] == 201
    status, body = await claim(node, account, ADA, "Lovelace", "Ada")
    assert (status, body["status"]) == (201, "verified")
    assert [c.state for c in await claims_of(node, account.public_id)] == [
        "superseded",
        "accepted",
    ]


async def test_a_licence_held_by_another_member_is_refused(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await node_with_register(network, tmp_path)
    holder = await claimant(node)
    assert (await claim(node, holder, ADA, "Lovelace", "Ada"))[1]["status"] == "verified"
    intruder = await claimant(node)
    status, body = await claim(node, intruder, ADA, "Lovelace", "Ada")
    assert status == 409
    assert body["type"] == PROBLEM + "licence-taken"
    assert holder.public_id not in json.dumps(body)
    assert await member_status(node, intruder.public_id) == "pending"
    assert await claims_of(node, intruder.public_id) == []
    [conflict] = await audit(node, "verification.claim.conflict")
    assert conflict.actor == f"member:{intruder.public_id}"
    assert conflict.details == {"held_by": f"member:{holder.public_id}"}


async def test_a_licence_an_operator_recorded_is_held_too(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await node_with_register(network, tmp_path)
    async with node.state.db.write() as session:
        await add_member(
            session,
            NewMember(
                email="ben@us.test",
                name="Benedikt Müller",
                specialty="cardiology",
                licence=BEN,
                verified=True,
            ),
            actor="cli",
        )
    intruder = await claimant(node)
    assert (await claim(node, intruder, BEN, "Müller", "Benedikt"))[0] == 409


async def test_who_may_claim(network: NodeNetwork, tmp_path: Path) -> None:
    node = await node_with_register(network, tmp_path)
    verified = await node.add_member(verified=True)
    status, body = await claim(node, verified, UNKNOWN, "Lovelace", "Ada")
    assert (status, body["type"]) == (409, PROBLEM + "already-verified")
    for state in ("suspended", "revoked"):
        account = await claimant(node)
        await set_status(node, account.public_id, state)
        status, body = await claim(node, account, ADA, "Lovelace", "Ada")
        assert status == 409
        assert body["type"] == PROBLEM + "invalid-transition"
        assert repr(state) in body["detail"] and "'pending'" in body["detail"]
        assert await member_status(node, account.public_id) == state


async def test_a_rejected_member_can_claim_again(network: NodeNetwork, tmp_path: Path) -> None:
    node = await node_with_register(network, tmp_path)
    account = await claimant(node)
    await set_status(node, account.public_id, "rejected")
    _, mine = await node.request("GET", "/api/v1/me/verification", token=account.token)
    assert (mine["status"], mine["next_step"]) == ("rejected", "submit-claim")
    status, body = await claim(node, account, UNKNOWN, "Lovelace", "Ada")
    assert (status, body["status"]) == (201, "pending")
    [back] = await audit(node, "verification.pending")
    assert back.details is not None and (back.details["from"], back.details["to"]) == (
        "rejected",
        "pending",
    )


async def test_claims_are_limited_per_day(network: NodeNetwork, tmp_path: Path) -> None:
    node = await node_with_register(network, tmp_path, verification_claims_per_day=2)
    account = await claimant(node)
    for _ in range(2):
        assert (await claim(node, account, UNKNOWN, "Lovelace", "Ada"))[0] == 201
    status, body = await claim(node, account, UNKNOWN, "Lovelace", "Ada")
    assert (status, body["type"]) == (429, PROBLEM + "too-many-claims")


async def test_bad_claim_bodies(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await claimant(node)
    for body in (
        {"licence": "<script>", "family_name": "X", "given_names": "Y"},
        {"licence": "123", "family_name": "", "given_names": "Y"},
        {"licence": "123", "family_name": "X", "given_names": "Y", "status": "verified"},
    ):
        status, problem = await node.request(
            "POST", "/api/v1/me/verification/claims", token=account.token, json=body
        )
        assert status == 422, body
        assert problem["type"] == PROBLEM + "invalid-body"
    assert (await node.request("POST", "/api/v1/me/verification/claims", json={}))[0] == 401


async def test_status_page_of_a_new_member(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await claimant(node)
    status, body = await node.request("GET", "/api/v1/me/verification", token=account.token)
    assert status == 200
    assert body["status"] == "pending"
    assert body["claim"] is None
    assert body["next_step"] == "submit-claim"
    assert "/api/v1/me/verification/claims" in body["message"]
