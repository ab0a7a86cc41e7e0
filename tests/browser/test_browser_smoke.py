"""The browser can reach a node's pages: rendering, language and direction, axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import axe_violations, screenshot
from tests.rig import NodeNetwork


@pytest.mark.sqlite_only  # the page does not depend on the database
async def test_sign_in_page_in_hebrew_is_mirrored_and_accessible(
    network: NodeNetwork, browser: Browser, axe_script: Path
) -> None:
    node = await network.spawn("US")
    context = await browser.new_context(
        locale="he-IL", extra_http_headers={"Accept-Language": "he"}, bypass_csp=True
    )
    page = await context.new_page()
    await page.goto(node.base_url + "/login")
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await page.get_attribute("html", "lang") == "he"
    # Mirrored for real: the brand sits at the right edge in a right-to-left layout.
    box = await page.locator(".brand").bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 1280
    assert box is not None and box["x"] > width / 2
    violations = await axe_violations(page, axe_script)
    assert violations == [], [v["id"] for v in violations]
    await screenshot(page, "login-he")
    await context.close()
