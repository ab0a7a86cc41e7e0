"""The header menu and the settings page: each member is offered what they can open."""

from __future__ import annotations

import re

from tests.node.pages.browsing import PASSWORD, browser
from tests.rig import NodeNetwork


def header_links(html: str) -> list[str]:
    """Where the header's menu leads, in order (not the brand, a link home)."""
    header = html.split('<header class="site-header"', 1)[1].split("</header>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', header)


async def test_an_unverified_member_sees_only_what_they_can_open(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    pending = await node.add_member(password=PASSWORD, verified=False)
    verified = await node.add_member(password=PASSWORD)

    async with browser(node, pending) as as_pending:
        page = await as_pending.get("/verification")
        assert page.status == 200
        # Cases, New case, Notifications and Search would all send them back here.
        assert header_links(page.html) == ["/verification", "/settings"]
        assert "/notifications/events" not in page.html  # no badge stream either
        assert 'action="/logout"' in page.html
        for path in header_links(page.html):
            assert (await as_pending.get(path)).status == 200, path

    async with browser(node, verified) as as_verified:
        page = await as_verified.get("/settings")
        links = header_links(page.html)
        for path in ("/", "/cases/new", "/notifications", "/search", "/settings"):
            assert path in links
        assert "/verification" not in links


async def test_settings_link_to_the_follows_and_digest_page(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    member = await node.add_member(password=PASSWORD)
    async with browser(node, member) as visitor:
        page = await visitor.get("/settings")
        assert '<a href="/settings/follows">Follows and digest</a>' in page.html
        assert (await visitor.get("/settings/follows")).status == 200
