"""Authorized fetch, peer removal, and key rotation between real nodes."""

from __future__ import annotations

import json

import aiohttp
from sqlalchemy import select

from federation.rotation import rotation_statement
from federation.signatures.keys import generate_private_key, save_private_key
from node.identity.keys import NodeKey, rotate_key
from node.peers.models import Peer
from node.peers.service import remove_peer
from tests.node.test_federation_basics import CASE
from tests.node.test_threads import detail
from tests.node.test_web_basics import PASSWORD, sign_in
from tests.peering import create_case_activity, post_inbox, signed_headers
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually


async def signed_get(sender: TestNode, target: TestNode, path: str) -> tuple[int, object]:
    url = target.base_url + path
    headers = signed_headers(sender, url, b"", method="GET")
    headers["Accept"] = "application/activity+json"
    return await target.request("GET", path, headers=headers)


async def test_authorized_fetch(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    stranger = await network.spawn("FR")
    await network.mesh(us, de)
    await stranger.trust(us)  # one-sided: US never added FR
    author = await us.add_member()
    status, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201
    local_only = {**CASE, "audience": "node"}
    _, hidden = await us.request("POST", "/api/v1/cases", token=author.token, json=local_only)
    case_path = "/cases/" + case["local_id"]

    for path in ("/outbox", "/outbox?after=0", case_path):
        status, body = await us.request("GET", path)
        assert status == 401, (path, body)
        assert CASE["body"] not in json.dumps(body)
        status, body = await signed_get(stranger, us, path)
        assert status == 401, (path, body)
        assert CASE["body"] not in json.dumps(body)

    status, document = await signed_get(de, us, case_path)
    assert status == 200
    assert document["contentMap"] == {"en": CASE["body"]}
    assert (await signed_get(de, us, "/cases/" + hidden["local_id"]))[0] == 404
    status, page = await signed_get(de, us, "/outbox?after=0")
    assert status == 200
    assert [item["object"]["id"] for item in page["orderedItems"]] == [case["id"]]
    # Public discovery stays public.
    assert (await us.request("GET", "/actor"))[0] == 200

    async with us.state.db.write() as session:
        await remove_peer(session, de.base_url, actor_label="test")
    assert (await signed_get(de, us, case_path))[0] == 401


async def test_removed_peer_gets_no_more_deliveries(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member()
    reader = await de.add_member()
    async with us.state.db.write() as session:
        await remove_peer(session, de.base_url, actor_label="test")
    assert (await us.request("POST", "/api/v1/cases", token=author.token, json=CASE))[0] == 201
    await us.state.federation.delivery.tick()
    await de.state.federation.catchup.pull_all()  # DE still trusts US, but US refuses DE now
    _, listing = await de.request("GET", "/api/v1/cases", token=reader.token)
    assert listing["items"] == []


async def test_key_rotation_is_followed_and_the_old_key_refused(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    old_key = us.state.key
    old_key_id = us.state.federation.signing_key.key_id

    rotate_key(us.data_dir / "keys", us.base_url)
    await us.restart()
    new_key_id = us.state.federation.signing_key.key_id
    assert new_key_id != old_key_id

    # DE learns the new key on the first request signed with it...
    status, _ = await post_inbox(us, de, create_case_activity(us.base_url, title="signed anew"))
    assert status == 202
    async with de.state.db.read() as session:
        peer = await session.scalar(select(Peer).where(Peer.origin == us.base_url))
    assert peer is not None and peer.key_id == new_key_id
    # ... and refuses the old key afterwards.
    status, _ = await post_inbox(
        us, de, create_case_activity(us.base_url), key=old_key.private_key, key_id=old_key_id
    )
    assert status == 401
    # The rotation federates for normal traffic too.
    author = await us.add_member()
    reader = await de.add_member()
    assert (await us.request("POST", "/api/v1/cases", token=author.token, json=CASE))[0] == 201

    async def arrived() -> bool:
        _, listing = await de.request("GET", "/api/v1/cases", token=reader.token)
        return any(item["title"] == CASE["title"] for item in listing["items"])

    await eventually(arrived, what="a case signed with the rotated key")


async def test_a_key_change_without_a_valid_rotation_statement_is_refused(
    network: NodeNetwork,
) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    # Someone who controls US's domain but not its key swaps the key file and
    # publishes a rotation statement signed by an unrelated key.
    keys = us.data_dir / "keys"
    forged = NodeKey(generate_private_key())
    impostor = NodeKey(generate_private_key())
    statement = rotation_statement(
        old_key=impostor.private_key,
        old_key_id=us.state.federation.signing_key.key_id,
        new_key_id=forged.key_id(us.base_url),
        new_public_key=forged.public_key,
    )
    await us.stop()
    (keys / "node-ed25519.pem").unlink()
    save_private_key(forged.private_key, keys / "node-ed25519.pem")
    (keys / "rotations.json").write_text(json.dumps([statement]))
    (keys / "rotations.json").chmod(0o600)
    await us.start()

    status, problem = await post_inbox(us, de, create_case_activity(us.base_url))
    assert status == 401, problem
    async with de.state.db.read() as session:
        peer = await session.scalar(select(Peer).where(Peer.origin == us.base_url))
    assert peer is not None and peer.key_id != forged.key_id(us.base_url)


async def test_refetching_a_key_is_rate_limited(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    stranger = generate_private_key()
    us_key_id = us.base_url + "/actor#key-unknown"
    for _ in range(5):
        status, _ = await post_inbox(
            us, de, create_case_activity(us.base_url), key=stranger, key_id=us_key_id
        )
        assert status == 401
    async with de.state.db.read() as session:
        peer = await session.scalar(select(Peer).where(Peer.origin == us.base_url))
    assert peer is not None and peer.key_checked_at is not None
    assert de.state.federation.keys.refetches == 1


async def test_reply_iris_dereference_for_peers_only(network: NodeNetwork) -> None:
    """A reply's IRI serves the Note its node signed, as the case IRI serves the case:
    to trusted peers only; deleted, a Tombstone (410)."""
    us = await network.spawn("US")
    de = await network.spawn("DE")
    stranger = await network.spawn("FR")
    await network.mesh(us, de)
    await stranger.trust(us)
    author = await us.add_member()
    answerer = await de.add_member()
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    text = "Consider eosinophilic oesophagitis; biopsy at endoscopy."
    status, reply = await us.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/replies",
        token=author.token,
        json={"content": text},
    )
    assert status == 201, reply
    path = reply["id"].removeprefix(us.base_url)
    assert path.startswith("/replies/")

    status, body = await us.request("GET", path, headers={"Accept": "application/activity+json"})
    assert status == 401 and text not in json.dumps(body)
    status, body = await signed_get(stranger, us, path)
    assert status == 401 and text not in json.dumps(body)
    status, note = await signed_get(de, us, path)
    assert status == 200, note
    assert isinstance(note, dict)
    assert (note["id"], note["type"], note["content"]) == (reply["id"], "Note", text)
    assert note["thread"] == case["id"] and note["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert (await signed_get(de, us, "/replies/no-such-reply"))[0] == 404
    # A browser following the IRI is sent to sign in, and learns nothing more.
    status, body = await us.request(
        "GET", path, headers={"Accept": "text/html"}, allow_redirects=False
    )
    assert status in (302, 303) and text not in str(body)
    # A member is sent to the reply in its thread.
    reader = await us.add_member(password=PASSWORD)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        assert await sign_in(us, browser, reader.email, PASSWORD) == 302
        async with browser.get(
            us.base_url + path, headers={"Accept": "text/html"}, allow_redirects=False
        ) as response:
            assert response.status == 303
            assert response.headers["Location"] == (
                f"/cases/{case['local_id']}#reply-{reply['local_id']}"
            )

    # A reply written on DE to US's case is DE's to serve.
    status, remote = await de.request(
        "POST",
        f"/api/v1/cases/{await de_copy(de, answerer, case['id'])}/replies",
        token=answerer.token,
        json={"content": "Agree; check IgE too."},
    )
    assert status == 201, remote
    status, remote_note = await signed_get(us, de, remote["id"].removeprefix(de.base_url))
    assert status == 200, remote_note
    assert isinstance(remote_note, dict) and remote_note["content"] == "Agree; check IgE too."
    # Not US's to serve: US holds a copy, and an IRI on DE.
    assert (await signed_get(de, us, remote["id"].removeprefix(de.base_url)))[0] == 404

    # The replies of a case kept on its node are not served to peers.
    local_only = {**CASE, "audience": "node"}
    _, kept = await us.request("POST", "/api/v1/cases", token=author.token, json=local_only)
    _, kept_reply = await us.request(
        "POST",
        f"/api/v1/cases/{kept['local_id']}/replies",
        token=author.token,
        json={"content": "Only for colleagues here."},
    )
    kept_path = kept_reply["id"].removeprefix(us.base_url)
    assert (await signed_get(de, us, kept_path))[0] == 404
    # Deleted, it is still 404: no peer ever heard of it, so there is nothing to bury.
    status, _ = await us.request(
        "DELETE", f"/api/v1/replies/{kept_reply['local_id']}", token=author.token
    )
    assert status == 204
    assert (await signed_get(de, us, kept_path))[0] == 404

    status, _ = await us.request(
        "DELETE", f"/api/v1/replies/{reply['local_id']}", token=author.token
    )
    assert status == 204
    status, tombstone = await signed_get(de, us, path)
    assert status == 410
    assert isinstance(tombstone, dict) and tombstone["type"] == "Tombstone"
    assert text not in json.dumps(tombstone)


async def de_copy(node: TestNode, account: Account, case_iri: str) -> str:
    """The case's local id on ``node``, once its copy has arrived."""
    found = await eventually(lambda: detail(node, account, case_iri), what="the copy")
    return str(found["local_id"])
