"""Forms in a real browser: what pressing Enter in a field does."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.browser.test_journey import PASSWORD, context_for, sign_in
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork

BODY = "Seen by Mrs. Johanna Keller's family doctor; recurrent fevers since spring."


@pytest.mark.sqlite_only  # the browser sees pages, not the database
async def test_enter_in_the_title_posts_instead_of_redacting(
    network: NodeNetwork, browser: Browser
) -> None:
    """With the de-identification findings listed, the form has "Redact" submit buttons
    before the main one; Enter (implicit submission) must not press the first of them."""
    node = await network.spawn("US")
    author = await node.add_member(password=PASSWORD)
    context = await context_for(browser, "en-US")
    page = await context.new_page()
    await sign_in(page, node, author.email)
    await page.goto(node.base_url + "/cases/new")
    await page.fill("#title", CASE["title"])
    await page.fill("#body", BODY)
    await page.fill("#question", CASE["question"])
    await page.click("form:has(#title) button[type=submit]")
    await page.wait_for_selector("button[name=redact]")  # the guard listed the name

    async with page.expect_navigation():
        await page.press("#title", "Enter")
    # Posted again with the main button: refused again (nothing acknowledged), the text
    # as typed; a "Redact" press would have answered with the name replaced by […].
    assert await page.input_value("#body") == BODY
    assert "[…]" not in await page.inner_text("main")
    assert await page.locator("button[name=redact]").count() >= 1
    await context.close()


@pytest.mark.sqlite_only
async def test_enter_on_the_reply_forms_checkbox_posts_instead_of_redacting(
    network: NodeNetwork, browser: Browser
) -> None:
    node = await network.spawn("US")
    author = await node.add_member(password=PASSWORD)
    status, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case
    context = await context_for(browser, "en-US")
    page = await context.new_page()
    await sign_in(page, node, author.email)
    await page.goto(f"{node.base_url}/cases/{case['local_id']}")
    await page.fill("#reply-content", BODY)
    await page.click("form:has(#reply-content) button[type=submit]")
    await page.wait_for_selector("button[name=redact]")

    async with page.expect_navigation():
        await page.press("#reply-anonymous", "Enter")
    assert await page.input_value("#reply-content") == BODY
    assert await page.locator("button[name=redact]").count() >= 1
    await context.close()
