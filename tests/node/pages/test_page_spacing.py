"""Spaces the templates' line breaks put where a reader sees them."""

from __future__ import annotations

import re

from tests.node.pages.browsing import PASSWORD, browser
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork


async def test_no_space_before_the_full_stop_after_an_author(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(password=PASSWORD)
    colleague = await node.add_member()
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    status, reply = await node.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/replies",
        token=colleague.token,
        json={"content": "Check MEFV before anything else.", "anonymous": False},
    )
    assert status == 201, reply
    async with browser(node, author) as visitor:
        page = await visitor.get(f"/cases/{case['local_id']}?reply_to={reply['local_id']}")
    found = re.search(r'<p class="replying-to">(.*?)<a ', page.html, re.S)
    assert found is not None, page.html[:500]
    # The author's name, specialty and country end the sentence: "… United States."
    line = re.sub(r"<[^>]+>", "", found.group(1))
    assert re.search(r"United States\.", line), line
    assert not re.search(r"\s\.", line), line
