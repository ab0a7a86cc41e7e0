"""The unread badge follows the live count, and says "99+" past 99.

The server counts unread notifications up to 100 for the badge (a member who never
reads must not make every page count thousands of rows); notifications.js turns 100
into the page's "99+" when the count arrives over the event stream.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.browser.test_journey import PASSWORD, context_for, sign_in
from tests.node.notifications.support import add_unread
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork


@pytest.mark.sqlite_only  # the browser sees pages, not the database
async def test_the_live_badge_says_99_plus_past_99(network: NodeNetwork, browser: Browser) -> None:
    node = await network.spawn("US", notification_heartbeat_seconds=0.5)
    author = await node.add_member()
    reader = await node.add_member(password=PASSWORD)
    status, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case

    context = await context_for(browser, "en-US")
    page = await context.new_page()
    await sign_in(page, node, reader.email)
    await page.goto(node.base_url + "/")
    badge = page.locator("[data-unread-badge]")
    await expect(badge).to_be_hidden()

    # Written straight to the database: the stream notices at its next heartbeat.
    await add_unread(node, reader, case["local_id"], 120)
    await expect(badge).to_be_visible(timeout=15_000)
    await expect(page.locator("[data-unread-count]")).to_have_text("99+")
    await context.close()
