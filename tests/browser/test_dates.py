"""Relative dates show the exact moment on hover, in the reader's language.

The server formats each date once, as "3 hours ago" with the exact moment in the
``datetime`` attribute (formatting it twice doubled the cost of a page of replies);
app.js writes that moment into the tooltip with the browser's own formatter.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from babel.dates import format_date
from playwright.async_api import Browser

from tests.browser.test_journey import PASSWORD, context_for, sign_in
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork


@pytest.mark.sqlite_only  # the browser sees pages, not the database
async def test_a_relative_date_shows_the_exact_moment_on_hover(
    network: NodeNetwork, browser: Browser
) -> None:
    node = await network.spawn("FR", locale="fr")
    author = await node.add_member(password=PASSWORD)
    status, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case

    context = await context_for(browser, "fr-FR")
    page = await context.new_page()
    await sign_in(page, node, author.email)
    await page.goto(f"{node.base_url}/cases/{case['local_id']}")
    posted = page.locator("time[datetime]").first
    moment = datetime.fromisoformat(await posted.get_attribute("datetime") or "")
    title = await posted.get_attribute("title")
    assert title, "the exact moment is in the tooltip"
    # In French, with the month written out: not the relative text, not ISO 8601.
    assert format_date(moment, "MMMM", locale="fr") in title
    assert str(moment.year) in title
    assert title != (await posted.inner_text()).strip()
    await context.close()
