"""The new-case and reply forms highlight identifying details and redact them in one click."""

from __future__ import annotations

import re

from tests.node.pages.browsing import PASSWORD, browser
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork

BODY = "Seen by Mrs. Johanna Keller's family doctor on 14 March 2024; recurrent fevers since."


async def test_highlight_and_one_click_redaction(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(password=PASSWORD)
    async with browser(node, author) as visitor:
        await visitor.get("/cases/new")
        fields = {
            "title": CASE["title"],
            "body": BODY,
            "question": CASE["question"],
            "specialties": "pediatrics",
            "language": "en",
            "audience": "federated",
        }
        refused = await visitor.post("/cases/new", fields)
        assert refused.status == 422
        assert "<mark" in refused.html and ">Johanna Keller</mark>&#39;s" in refused.html
        buttons = re.findall(r'name="redact" value="(body:\d+:\d+)"', refused.html)
        assert len(buttons) >= 2  # the name and the date
        # Redact the name: nothing is posted, the text comes back with the mark.
        redacted = await visitor.post("/cases/new", [*fields.items(), ("redact", buttons[0])])
        assert redacted.status == 200
        assert "Johanna Keller" not in redacted.html and "[…]" in redacted.html
        body_now = re.search(r'<textarea id="body"[^>]*>([^<]*)</textarea>', redacted.html)
        assert body_now is not None
        # Redact what is left, then post.
        text = body_now.group(1)
        for _ in range(5):
            page = await visitor.post("/cases/new", {**fields, "body": text})
            if page.status == 303:
                break
            button = re.search(r'name="redact" value="(body:\d+:\d+)"', page.html)
            assert button, page.text[:500]
            page = await visitor.post(
                "/cases/new", [*{**fields, "body": text}.items(), ("redact", button.group(1))]
            )
            found = re.search(r'<textarea id="body"[^>]*>([^<]*)</textarea>', page.html)
            assert found is not None
            text = found.group(1)
        assert page.status == 303, page.text[:300]
    _, listing = await node.request("GET", "/api/v1/cases", token=author.token)
    [case] = listing["items"]
    assert "Keller" not in case["body"] and "2024" not in case["body"]


async def test_reply_redaction_keeps_the_reply_unposted(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(password=PASSWORD)
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    path = f"/cases/{case['local_id']}"
    async with browser(node, author) as visitor:
        await visitor.get(path)
        content = "My patient Johanna Keller had the same; MEFV testing settled it."
        refused = await visitor.post(f"{path}/replies", {"content": content})
        assert refused.status == 422 and "Johanna Keller</mark>" in refused.html
        button = re.search(r'name="redact" value="(content:\d+:\d+)"', refused.html)
        assert button is not None
        redacted = await visitor.post(
            f"{path}/replies", [("content", content), ("redact", button.group(1))]
        )
        assert redacted.status == 200
        assert "My patient […] had the same" in redacted.html
        # A forged span past the end of the text changes nothing and posts nothing.
        forged = await visitor.post(
            f"{path}/replies", [("content", content), ("redact", "content:5:9999")]
        )
        assert forged.status == 422
    _, detail = await node.request("GET", f"/api/v1{path}", token=author.token)
    assert detail["replies"] == []
