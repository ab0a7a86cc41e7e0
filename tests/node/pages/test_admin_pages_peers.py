"""The peers page: fingerprints and delivery health; adding a peer only after its key
fingerprint was shown and confirmed (a wrong one adds nothing); blocking with a reason."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from sqlalchemy import select, update

from node.members.models import Role
from node.outbox.models import Delivery
from node.peers.models import Peer
from node.runner import bind_loopback
from tests.node.pages.test_admin_pages import audit, signed_in, staff, text_of
from tests.rig import NodeNetwork, TestNode

WRONG = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


async def peer_origins(node: TestNode) -> list[str]:
    async with node.state.db.read() as session:
        return list(await session.scalars(select(Peer.origin)))


@asynccontextmanager
async def something_else(with_actor: bool = True) -> AsyncIterator[str]:
    """The origin of a web server that is not a Curbside node: its /actor is a person,
    or (``with_actor=False``) there is none (404)."""

    async def actor(_: web.Request) -> web.Response:
        return web.json_response({"type": "Person", "id": "x"})

    app = web.Application()
    if with_actor:
        app.router.add_get("/actor", actor)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = bind_loopback(0)
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()


async def test_adding_a_peer_shows_and_checks_its_fingerprint(network: NodeNetwork) -> None:
    async with something_else() as not_a_node, something_else(with_actor=False) as no_actor:
        await adding_a_peer(network, not_a_node, no_actor)


async def adding_a_peer(network: NodeNetwork, not_a_node: str, no_actor: str) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE", name="Curbside Deutschland")
    admin = await staff(us, Role.ADMIN, name="Ada Admin")
    right = de.state.key.fingerprint

    async with signed_in(us, admin, Role.ADMIN) as browser:
        status, html, _ = await browser.get("/admin/peers")
        assert status == 200 and "No peers yet." in html
        assert us.state.key.fingerprint in html  # to give to the peer's operator

        # A fingerprint that differs from the fetched key: refused at once, nothing stored.
        status, html, _ = await browser.post(
            "/admin/peers/check", {"url": de.base_url, "expected": WRONG}, form_page="/admin/peers"
        )
        assert status == 422
        text = text_of(html)
        assert f"has the key fingerprint {right}, not the one you entered ({WRONG})" in text
        assert 'action="/admin/peers/add"' not in html
        # Posting the second step with a fingerprint that is not the peer's key adds nothing.
        status, html, _ = await browser.post(
            "/admin/peers/add",
            {"url": de.base_url, "fingerprint": WRONG, "confirmed": "1"},
            form_page="/admin/peers",
        )
        assert status == 409 and "not the fingerprint you confirmed" in html
        assert await peer_origins(us) == []
        assert await audit(us, "peer.add") == []

        # The right fingerprint: the key is shown for confirmation, still nothing stored.
        status, html, _ = await browser.post(
            "/admin/peers/check", {"url": de.base_url, "expected": right}, form_page="/admin/peers"
        )
        assert status == 200
        assert "Curbside Deutschland" in html and right in html
        assert "This is the fingerprint you entered." in html
        assert await peer_origins(us) == []
        status, html, _ = await browser.post(
            "/admin/peers/add", {"url": de.base_url, "fingerprint": right}, form_page="/admin/peers"
        )
        assert status == 422 and "Tick the box" in html
        assert await peer_origins(us) == []

        status, _, response = await browser.post(
            "/admin/peers/add",
            {"url": de.base_url, "fingerprint": right, "confirmed": "1"},
            form_page="/admin/peers",
        )
        assert (status, response.headers["Location"]) == (302, "/admin/peers?notice=added")
        assert await peer_origins(us) == [de.base_url]
        status, html, _ = await browser.get("/admin/peers?notice=added")
        text = text_of(html)
        assert "The peer was added." in text
        assert "Curbside Deutschland" in text and de.base_url in text and right in text
        assert "Not yet mutual" in text and "Germany" in text

        # Without an expected fingerprint the key is shown and must be compared by eye.
        status, html, _ = await browser.post(
            "/admin/peers/check", {"url": de.base_url}, form_page="/admin/peers"
        )
        assert status == 409 and "is already a peer" in html
        for url, message, technical in (
            (us.base_url, "own address", None),
            ("not a node address", "Enter the peer's address", None),
            ("http://127.0.0.1:1", "could not be reached", "cannot fetch the node actor"),
            (not_a_node, "but not as a Curbside node", "does not look like a Curbside node"),
            (no_actor, "but not as a Curbside node", "HTTP 404"),
        ):
            status, html, _ = await browser.post(
                "/admin/peers/check", {"url": url}, form_page="/admin/peers"
            )
            assert status == 422 and message in text_of(html), url
            # The fetch's own words (English) are kept apart, as a technical detail.
            detail = re.search(r'<code class="technical"[^>]*>([^<]*)</code>', html)
            if technical is None:
                assert detail is None, url
            else:
                assert detail is not None and technical in detail.group(1), url
    [added] = await audit(us, "peer.add")
    assert (added.actor, added.subject) == (f"member:{admin.public_id}", de.base_url)


async def test_delivery_problems_show_and_an_admin_blocks_a_peer(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    moderator = await staff(us, Role.MODERATOR)
    admin = await staff(us, Role.ADMIN)
    async with us.state.db.write() as session:
        await session.execute(update(Delivery).values(failures=3, last_error="HTTP 503"))

    async with signed_in(us, moderator, Role.MODERATOR) as browser:
        _, html, _ = await browser.get("/admin")
        assert "1 peer with delivery problems" in text_of(html)
        _, html, _ = await browser.get("/admin/peers")
        text = text_of(html)
        assert "3 failed attempts in a row" in text and "HTTP 503" in text
        assert "/admin/peers/block" not in html  # blocking is for admins
        assert (await browser.get(f"/admin/peers/block?origin={de.base_url}"))[0] == 403

    async with signed_in(us, admin, Role.ADMIN) as browser:
        status, html, _ = await browser.get(f"/admin/peers/block?origin={de.base_url}")
        assert status == 200 and f'value="{de.base_url}"' in html
        status, html, _ = await browser.post(
            "/admin/peers/block", {"origin": de.base_url, "reason": "spam"}, form_page="/admin"
        )
        assert status == 422 and "at least 10 characters" in html
        assert await peer_origins(us) == [de.base_url]
        status, html, _ = await browser.post(
            "/admin/peers/block",
            {"origin": "http://127.0.0.1:2", "reason": "repeated identifiable posts"},
            form_page="/admin",
        )
        assert status == 404 and "not a peer" in html
        status, _, response = await browser.post(
            "/admin/peers/block",
            {"origin": de.base_url, "reason": "repeated identifiable posts"},
            form_page="/admin",
        )
        assert (status, response.headers["Location"]) == (302, "/admin/peers?notice=blocked")
        _, html, _ = await browser.get("/admin/peers?notice=blocked")
        assert "The peer was blocked" in html and "No peers yet." in html
    assert await peer_origins(us) == []
    [blocked] = await audit(us, "peer.block")
    assert (blocked.actor, blocked.subject, blocked.reason) == (
        f"member:{admin.public_id}",
        de.base_url,
        "repeated identifiable posts",
    )
