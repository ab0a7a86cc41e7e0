"""Email addresses read at the size of the text around them (the large .uri style is
for the address a phone's authenticator app is set up with)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from node.members.models import Role
from tests.browser.test_journey import PASSWORD
from tests.browser.test_phone_layout import staff_context
from tests.node.verification.support import claim, claimant
from tests.rig import NodeNetwork

# The font size of the element whose whole text is the address, and of its cell.
SIZES = """(address) => {
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.children.length === 0 && node.textContent.trim() === address) {
      return [getComputedStyle(node).fontSize, getComputedStyle(node.parentElement).fontSize];
    }
  }
  return null;
}"""


@pytest.mark.sqlite_only  # the browser sees pages, not the database
async def test_email_addresses_are_the_size_of_their_text(
    network: NodeNetwork, browser: Browser
) -> None:
    node = await network.spawn("US")
    applicant = await claimant(node, name="Grace Hopper", password=PASSWORD)
    status, body = await claim(node, applicant, "1234567893", "Hopper", "Grace")
    assert status == 201, body
    admin = await node.add_member(password=PASSWORD, role=Role.ADMIN)
    context = await staff_context(browser, node, admin.email)
    page = await context.new_page()
    for path in ("/admin/verification", "/admin/members", f"/admin/members/{applicant.public_id}"):
        await page.goto(node.base_url + path)
        sizes = await page.evaluate(SIZES, applicant.email)
        assert sizes is not None, f"{applicant.email} is not on {path}"
        address, around = sizes
        assert address == around, f"{path}: the address is {address}, its text {around}"
    await context.close()
