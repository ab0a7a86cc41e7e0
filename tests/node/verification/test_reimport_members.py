"""A re-import suspends members whose licence is gone or inactive, and restores them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from node.members.models import Role
from node.verification.importer import MassSuspensionRefused
from node.verification.models import ImportStatus, LicenceHold, RegisterImport
from tests.node.verification.support import (
    ADA,
    BEN,
    CLEO,
    audit,
    claim,
    claimant,
    member_id,
    member_status,
    nppes_file,
    run_import,
    standard_register,
)
from tests.rig import Account, NodeNetwork, TestNode
from tests.verification.factories import npi


async def verified_by_register(node: TestNode, licence: str, family: str, given: str) -> Account:
    account = await claimant(node)
    status, body = await claim(node, account, licence, family, given)
    assert (status, body["status"]) == (201, "verified"), body
    return account


async def cause(node: TestNode, account: Account) -> str | None:
    async with node.state.db.read() as session:
        hold = await session.get_one(LicenceHold, await member_id(node, account.public_id))
        return hold.suspension_cause


async def test_gone_and_deactivated_licences_suspend_and_come_back(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "january.csv"))
    ada = await verified_by_register(node, ADA, "Lovelace", "Ada")
    ben = await verified_by_register(node, BEN, "Müller", "Benedikt")
    cleo = await verified_by_register(node, CLEO, "De la Cruz", "Cleopatra")

    report = await run_import(
        node, standard_register(tmp_path / "february.csv", deactivated=(ADA,), without=(BEN,))
    )
    assert (report.suspended, report.restored, report.verified_members) == (2, 0, 3)
    assert await member_status(node, ada.public_id) == "suspended"
    assert await member_status(node, ben.public_id) == "suspended"
    assert await member_status(node, cleo.public_id) == "verified"
    assert await cause(node, ada) == "register"
    suspensions = await audit(node, "verification.suspend")
    assert {(entry.subject, entry.reason, entry.actor) for entry in suspensions} == {
        (f"member:{ada.public_id}", "register re-import", "cli"),
        (f"member:{ben.public_id}", "register re-import", "cli"),
    }
    assert {entry.details["cause"] for entry in suspensions if entry.details} == {
        "deactivated",
        "gone",
    }
    status, body = await node.request("GET", "/api/v1/cases", token=ada.token)
    assert (status, body["type"].rsplit("/", 1)[1]) == (403, "not-verified")

    report = await run_import(node, standard_register(tmp_path / "march.csv"))
    assert (report.suspended, report.restored) == (0, 2)
    for account in (ada, ben, cleo):
        assert await member_status(node, account.public_id) == "verified"
    assert await cause(node, ada) is None
    restores = [e for e in await audit(node, "verification.verify") if e.actor == "cli"]
    assert [entry.reason for entry in restores] == ["register re-import"] * 2


async def test_an_operator_suspension_is_not_lifted_by_a_re_import(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "january.csv"))
    ada = await verified_by_register(node, ADA, "Lovelace", "Ada")
    admin = await node.add_member(role=Role.ADMIN)
    status, _ = await node.request(
        "POST",
        f"/api/v1/admin/members/{ada.public_id}/status",
        token=admin.token,
        json={"status": "suspended", "reason": "complaint under investigation"},
    )
    assert status == 200
    assert await cause(node, ada) == "operator"
    report = await run_import(node, standard_register(tmp_path / "february.csv"))
    assert report.restored == 0
    assert await member_status(node, ada.public_id) == "suspended"


async def test_a_revoked_member_releases_the_licence(network: NodeNetwork, tmp_path: Path) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "january.csv"))
    impostor = await verified_by_register(node, ADA, "Lovelace", "Ada")
    admin = await node.add_member(role=Role.ADMIN)
    await node.request(
        "POST",
        f"/api/v1/admin/members/{impostor.public_id}/status",
        token=admin.token,
        json={"status": "revoked", "reason": "not the licensee"},
    )
    await verified_by_register(node, ADA, "Lovelace", "Ada")


async def test_mass_suspension_needs_the_operator_s_word(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    people = [(npi(100000500 + n), "DOCTOR", f"NUMBER{n}") for n in range(12)]
    await run_import(node, nppes_file(tmp_path / "full.csv", *people))
    accounts = [await verified_by_register(node, *person) for person in people]
    # A truncated extract: only the first person is left.
    truncated = nppes_file(tmp_path / "truncated.csv", people[0])
    with pytest.raises(MassSuspensionRefused, match="would suspend 11 of 12"):
        await run_import(node, truncated)
    assert {await member_status(node, a.public_id) for a in accounts} == {"verified"}
    async with node.state.db.read() as session:
        held = await session.scalar(select(RegisterImport).order_by(RegisterImport.id.desc()))
    assert held is not None and held.status == ImportStatus.HELD
    [entry] = await audit(node, "register.import.held")
    assert "would suspend 11 of 12" in (entry.reason or "")

    report = await run_import(node, truncated, allow_mass_suspension=True)
    assert report.import_id == held.id
    assert not report.read_again  # the file was read already; only the comparison ran
    assert (report.status, report.suspended) == (ImportStatus.COMPLETED, 11)
    assert await member_status(node, accounts[0].public_id) == "verified"
    assert await member_status(node, accounts[5].public_id) == "suspended"


async def test_a_few_suspensions_pass_on_a_small_node(network: NodeNetwork, tmp_path: Path) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "january.csv"))
    ada = await verified_by_register(node, ADA, "Lovelace", "Ada")
    # One of one verified member is 100%, but under plan_reimport's always-allowed count.
    report = await run_import(node, standard_register(tmp_path / "feb.csv", without=(ADA,)))
    assert report.suspended == 1
    assert await member_status(node, ada.public_id) == "suspended"
