"""Peers see who vouches for an author, learn of suspensions, and can check credentials."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import select, text

from node.db.engine import Database
from node.db.migrate import downgrade, upgrade
from node.db.types import utcnow
from node.members.models import Member, VerificationStatus
from node.runner import bind_loopback
from node.verification.status import change_status
from tests.node.test_federation_basics import CASE
from tests.peering import create_case_activity, post_inbox, signed_headers
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually
from verification.credentials import issue_credential


async def cases_of(node: TestNode, account: Account) -> list[dict[str, Any]]:
    _, listing = await node.request("GET", "/api/v1/cases", token=account.token)
    return listing["items"]


async def suspend(node: TestNode, public_id: str) -> None:
    async with node.state.db.write() as session:
        member = await session.scalar(select(Member).where(Member.public_id == public_id))
        assert member is not None
        await change_status(
            session,
            member,
            VerificationStatus.SUSPENDED,
            actor="test",
            reason="licence lapsed",
            now=utcnow(),
        )


async def test_suspension_reaches_peers_for_named_posts_only(network: NodeNetwork) -> None:
    us = await network.spawn("US", attestation_sync_seconds=0.2)
    de = await network.spawn("DE", attestation_sync_seconds=0.2)
    await network.mesh(us, de)
    author = await us.add_member(name="Ada Named")
    reader = await de.add_member()
    named = {**CASE, "title": "named case"}
    anonymous = {**CASE, "title": "anonymous case", "anonymous": True}
    assert (await us.request("POST", "/api/v1/cases", token=author.token, json=named))[0] == 201
    assert (await us.request("POST", "/api/v1/cases", token=author.token, json=anonymous))[0] == 201

    async def both() -> list[dict[str, Any]] | None:
        items = await cases_of(de, reader)
        return items if len(items) == 2 else None

    items = await eventually(both, what="both cases on DE")
    for item in items:
        assert item["author"]["verified_by"] == us.base_url
        assert item["author"]["status"] == "verified"

    await suspend(us, author.public_id)

    async def named_marked() -> bool:
        statuses = {item["title"]: item["author"]["status"] for item in await cases_of(de, reader)}
        return statuses == {"named case": "suspended", "anonymous case": "verified"}

    await eventually(named_marked, within=20, what="the named case marked suspended on DE")
    # The author's own node shows the same: had the anonymous case turned "suspended"
    # with the named one, any member here could tell whose pseudonym it is.
    colleague = await us.add_member()
    own = {item["title"]: item["author"]["status"] for item in await cases_of(us, colleague)}
    assert own == {"named case": "suspended", "anonymous case": "verified"}


async def test_member_and_pseudonym_actors(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member(name="Ada Named", specialty="cardiology")
    await us.request("POST", "/api/v1/cases", token=author.token, json={**CASE, "anonymous": True})
    member_path = f"/members/{author.public_id}"
    assert (await us.request("GET", member_path))[0] == 401
    status, actor = await us.request(
        "GET", member_path, headers=signed_headers(de, us.base_url + member_path, b"", method="GET")
    )
    assert status == 200
    assert actor["attestation"]["verifiedBy"] == us.base_url + "/actor"
    assert actor["attestation"]["verificationStatus"] == "verified"
    assert "verifiedSince" in actor["attestation"]
    assert author.email not in str(actor)
    reader = await de.add_member()
    remote = await eventually(lambda: cases_of(de, reader), what="case on DE")
    pseudonym_path = "/pseudonyms/" + remote[0]["author"]["pseudonym"]
    status, pseudonym = await us.request(
        "GET",
        pseudonym_path,
        headers=signed_headers(de, us.base_url + pseudonym_path, b"", method="GET"),
    )
    assert status == 200
    assert pseudonym["type"] == "Pseudonym"
    assert "verifiedSince" not in pseudonym["attestation"]
    assert "Ada" not in str(pseudonym) and author.public_id not in str(pseudonym)


async def test_an_attestation_of_another_nodes_member_is_refused(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    forged = create_case_activity(de.base_url)
    forged["object"]["attributedTo"]["attestation"] = {
        "type": "Attestation",
        "verifiedBy": "https://evil.example/actor",
    }
    status, _ = await post_inbox(de, us, forged)
    assert status == 400
    update = {
        "@context": forged["@context"],
        "id": de.base_url + "/activities/x1",
        "type": "Update",
        "actor": de.base_url + "/actor",
        "object": {
            "id": us.base_url + "/members/abc",
            "type": "Person",
            "name": "x",
            "attestation": {
                "type": "Attestation",
                "verifiedBy": de.base_url + "/actor",
                "verificationStatus": "revoked",
            },
        },
    }
    assert (await post_inbox(de, us, update))[0] == 403


async def test_credential_export_and_check_on_another_node(network: NodeNetwork) -> None:
    us = await network.spawn("US", attestation_sync_seconds=0.2)
    de = await network.spawn("DE")
    await network.mesh(us, de)
    member = await us.add_member(name="Ada Named", specialty="nephrology")
    checker = await de.add_member()
    status, credential = await us.request("GET", "/api/v1/me/credential", token=member.token)
    assert status == 200
    assert credential["credentialSubject"]["name"] == "Ada Named"
    assert member.email not in str(credential)
    status, result = await de.request(
        "POST", "/api/v1/credentials/verify", token=checker.token, json={"credential": credential}
    )
    assert status == 200 and result["valid"] is True, result
    assert (result["issuer"], result["specialty"], result["current_status"]) == (
        us.base_url + "/actor",
        "nephrology",
        "verified",
    )
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["specialty"] = ["neurosurgery"]
    _, result = await de.request(
        "POST", "/api/v1/credentials/verify", token=checker.token, json={"credential": tampered}
    )
    assert result["valid"] is False and "proof" in result["reason"]
    await suspend(us, member.public_id)
    _, result = await de.request(
        "POST", "/api/v1/credentials/verify", token=checker.token, json={"credential": credential}
    )
    assert result["valid"] is False and result["current_status"] == "suspended"
    pending = await us.add_member(verified=False)
    assert (await us.request("GET", "/api/v1/me/credential", token=pending.token))[0] == 403
    # Only verified members use the checker.
    status, _ = await de.request(
        "POST", "/api/v1/credentials/verify", token=pending.token, json={"credential": credential}
    )
    assert status in (401, 403)


async def test_the_check_asks_no_address_but_the_issuers_own(network: NodeNetwork) -> None:
    """A credential validly signed by a peer, naming a subject elsewhere: the checker
    reports the signature, and sends no signed GET to the address it names."""
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    checker = await de.add_member()
    hits: list[str] = []

    async def trap(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/{tail:.*}", trap)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = bind_loopback(0)
    await web.SockSite(runner, sock).start()
    try:
        now = utcnow()
        credential = issue_credential(
            credential_id="urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
            issuer=us.base_url + "/actor",
            issuer_name="Curbside US",
            subject=f"http://127.0.0.1:{sock.getsockname()[1]}/internal/admin",
            name="Ada Named",
            specialty="nephrology",
            country="US",
            verified_since=now,
            valid_from=now,
            valid_until=now + timedelta(days=1),
            private_key=us.state.key.private_key,
            key_id=us.state.federation.signing_key.key_id,
        )
        status, result = await de.request(
            "POST",
            "/api/v1/credentials/verify",
            token=checker.token,
            json={"credential": credential},
        )
        assert status == 200 and result["valid"] is True, result
        assert result["current_status"] is None
        assert hits == []
    finally:
        await runner.cleanup()


async def test_the_upgrade_takes_the_mark_off_anonymous_posts(network: NodeNetwork) -> None:
    """0023: anonymous posts that the member's own node marked before it are shown as
    a verified physician's again; named posts keep their mark."""
    us = await network.spawn("US")
    author = await us.add_member()
    named = {**CASE, "title": "named case"}
    anonymous = {**CASE, "title": "anonymous case", "anonymous": True}
    for case in (named, anonymous):
        assert (await us.request("POST", "/api/v1/cases", token=author.token, json=case))[0] == 201
    await us.stop()
    db = Database(us.config.database_url)
    try:
        await downgrade(db, "0022")
        async with db.write_connection() as connection:  # as the old marking left them
            await connection.execute(text("UPDATE cases SET author_status = 'suspended'"))
        await upgrade(db)
        async with db.write_connection() as connection:
            rows = (await connection.execute(text("SELECT title, author_status FROM cases"))).all()
    finally:
        await db.close()
    assert dict(rows) == {"named case": "suspended", "anonymous case": "verified"}
