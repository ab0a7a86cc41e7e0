"""Pages on a 390 px phone screen: nothing cut off, no sideways page scroll, and no
separator dot that starts a line."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from node.members.models import Role
from tests.browser.conftest import screenshot
from tests.browser.test_journey import PASSWORD, context_for, sign_in
from tests.node.accounts.support import Browser as AccountsBrowser
from tests.node.accounts.support import set_up_at_login
from tests.node.search.support import post_case
from tests.node.test_deid_guard import IDENTIFYING
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork, TestNode

# How wide the select would be if nothing constrained it (its longest option) but the
# width of its form, and how wide it is.
SELECT_WIDTHS = """(id) => {
  const select = document.getElementById(id);
  const free = select.cloneNode(true);
  free.removeAttribute('id');
  free.style.position = 'absolute';
  free.style.inlineSize = 'max-content';
  free.style.maxInlineSize = 'none';
  document.body.appendChild(free);
  const natural = free.getBoundingClientRect().width;
  free.remove();
  const form = getComputedStyle(select.form);
  const padding = parseFloat(form.paddingLeft) + parseFloat(form.paddingRight);
  const room = select.form.clientWidth - padding;
  return [Math.min(natural, room), select.getBoundingClientRect().width];
}"""

# Every middle dot drawn in the element, literal or generated (::before), that is the
# first thing on its line and visible there: [its text line's top, ...].
LEADING_DOTS = """(selector) => {
  const box = document.querySelector(selector);
  const edge = box.getBoundingClientRect();
  const rtl = getComputedStyle(box).direction === 'rtl';
  const starts = (rect) => rtl ? rect.right >= edge.right - 2 : rect.left <= edge.left + 2;
  const found = [];
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (let i = text.indexOf('·'); i >= 0; i = text.indexOf('·', i + 1)) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getBoundingClientRect();
      if (rect.width > 0 && starts(rect)) found.push(rect.top);
    }
  }
  const clipped = getComputedStyle(box).overflowX !== 'visible';
  for (const item of box.children) {
    if (!getComputedStyle(item, '::before').content.includes('·')) continue;
    // A generated dot sits before its item: seen when its item starts a line only if
    // the box does not clip what lies outside it.
    if (starts(item.getBoundingClientRect()) && !clipped) found.push(item.offsetTop);
  }
  return found;
}"""


async def lines_of(page: Page, selector: str) -> int:
    """How many lines the element's children take."""
    tops = await page.eval_on_selector_all(
        selector + " > *", "(items) => items.map((item) => Math.round(item.offsetTop))"
    )
    return len(set(tops))


@pytest.mark.sqlite_only  # the browser sees pages, not the database
async def test_feed_metrics_and_case_page_fit_a_phone(
    network: NodeNetwork, browser: Browser
) -> None:
    node = await network.spawn("DE", locale="de")
    author = await node.add_member(password=PASSWORD)
    status, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case
    context = await context_for(browser, "de-DE", phone=True)
    page = await context.new_page()
    await sign_in(page, node, author.email)

    await page.goto(node.base_url + "/")
    for select in ("status", "specialty", "language", "country"):
        natural, shown = await page.evaluate(SELECT_WIDTHS, select)
        assert shown >= natural - 1, f"#{select} is cut off: {shown} < {natural}"

    await page.goto(node.base_url + "/metrics")
    await screenshot(page, "metrics-phone-de")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the metrics page scrolls sideways ({width} px wide)"

    await page.goto(f"{node.base_url}/cases/{case['local_id']}")
    await screenshot(page, "case-phone-de")
    views = "#case-status .case-meta:last-child"
    assert await lines_of(page, views) == 2  # the view counts wrap on a phone in German
    assert await page.evaluate(LEADING_DOTS, views) == []
    await context.close()


async def staff_context(browser: Browser, node: TestNode, email_address: str) -> BrowserContext:
    """A phone browser signed in as a moderator: the second factor is set up over HTTP,
    then the session cookie is handed to Chromium."""
    visitor = AccountsBrowser(node)
    try:
        await set_up_at_login(visitor, email_address)
        cookies = [
            {"name": c.key, "value": c.value, "url": node.base_url}
            for c in visitor.http.cookie_jar
            if c.key == "cs_session"
        ]
    finally:
        await visitor.close()
    context = await context_for(browser, "en-GB", phone=True)
    await context.add_cookies(cookies)  # type: ignore[arg-type]  # plain dicts, same keys
    return context


async def page_width(page: Page) -> int:
    return int(await page.evaluate("() => document.documentElement.scrollWidth"))


@pytest.mark.sqlite_only  # the browser sees pages, not the database
async def test_audit_log_flags_and_sessions_fit_a_phone(
    network: NodeNetwork, browser: Browser
) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    moderator = await node.add_member(password=PASSWORD, role=Role.MODERATOR)
    await post_case(node, author, **IDENTIFYING)  # its findings acknowledged: flags to list
    context = await staff_context(browser, node, moderator.email)
    page = await context.new_page()

    await page.goto(node.base_url + "/admin/audit")
    await screenshot(page, "audit-phone")
    assert await page_width(page) <= 390, "the audit log scrolls sideways"
    box = await page.locator("#audit-action").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, box

    await page.goto(node.base_url + "/admin/deid")
    await screenshot(page, "deid-phone")
    assert await page_width(page) <= 390, "the flags page scrolls sideways"
    table = page.locator(".table-scroll").first
    frame = await table.bounding_box()
    assert frame is not None and frame["x"] + frame["width"] <= 390, frame
    # The button is reached by scrolling the table, not the page.
    button = page.get_by_role("button", name="Mark reviewed").first
    await button.scroll_into_view_if_needed()
    shown = await button.bounding_box()
    assert shown is not None and shown["x"] >= 0 and shown["x"] + shown["width"] <= 390, shown
    assert await page_width(page) <= 390

    await page.goto(node.base_url + "/settings/sessions")
    await screenshot(page, "sessions-phone")
    assert await page_width(page) <= 390, "the sessions page scrolls sideways"
    text = await page.locator("table.sessions tbody").inner_text()
    assert "Signed in" in text and "Last active" in text, text  # each date keeps its label
    await context.close()
