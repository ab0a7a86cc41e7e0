"""Pages on a 390 px phone screen: nothing cut off, no sideways page scroll, and no
separator dot that starts a line."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.browser.conftest import screenshot
from tests.browser.test_journey import PASSWORD, context_for, sign_in
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork

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
