"""Members report a case or a reply from its page; moderators see it, the origin too."""

from __future__ import annotations

import re

from node.members.models import Role
from tests.node.pages.browsing import PASSWORD, browser
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork
from tests.waiting import eventually


async def test_reporting_from_the_case_page(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member(password=PASSWORD)
    us_mod = await us.add_member(role=Role.MODERATOR)
    reader = await de.add_member(password=PASSWORD)
    de_mod = await de.add_member(role=Role.MODERATOR)
    await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)

    async def arrived() -> str | None:
        _, listing = await de.request("GET", "/api/v1/cases", token=reader.token)
        return listing["items"][0]["local_id"] if listing["items"] else None

    local_id = await eventually(arrived, what="case on DE")
    async with browser(de, reader) as visitor:
        page = await visitor.get(f"/cases/{local_id}")
        assert f"/report?object={local_id}" in page.html
        form = await visitor.get(f"/report?object={local_id}&back=/cases/{local_id}")
        assert form.status == 200 and CASE["title"][:20] in form.text
        missing = await visitor.post("/report", {"object": local_id, "back": f"/cases/{local_id}"})
        assert missing.status == 422
        no_token = await visitor.post("/report", {"object": local_id, "reason": "spam"}, csrf=False)
        assert no_token.status == 403
        sent = await visitor.post(
            "/report",
            {
                "object": local_id,
                "reason": "identifiable-patient-data",
                "comment": "school named",
                "back": f"/cases/{local_id}",
            },
        )
        assert sent.status == 200 and f'href="/cases/{local_id}"' in sent.html
        again = await visitor.post("/report", {"object": local_id, "reason": "spam"})
        assert again.status == 409
    _, local = await de.request("GET", "/api/v1/admin/reports", token=de_mod.token)
    assert [(r["reason"], r["comment"]) for r in local["items"]] == [
        ("identifiable-patient-data", "school named")
    ]

    async def at_origin() -> bool:
        _, body = await us.request("GET", "/api/v1/admin/reports", token=us_mod.token)
        return [(r["reason"], r["from_node"]) for r in body["items"]] == [
            ("identifiable-patient-data", de.base_url)
        ]

    await eventually(at_origin, what="the report forwarded to the case's node")


def checked_reason(html: str) -> list[str]:
    return re.findall(r'name="reason" id="reason-[^"]+" value="([^"]+)" required checked', html)


def comment_text(html: str) -> str:
    found = re.search(r'<textarea id="comment"[^>]*>([^<]*)</textarea>', html)
    assert found is not None
    return found.group(1)


async def test_the_report_form_preselects_nothing_and_keeps_what_was_entered(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    reader = await node.add_member(password=PASSWORD)
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    local_id = case["local_id"]
    async with browser(node, reader) as visitor:
        form = await visitor.get(f"/report?object={local_id}")
        assert form.status == 200
        assert " checked" not in form.html  # one click must not file a serious report
        assert 'name="reason"' in form.html

        no_reason = await visitor.post("/report", {"object": local_id, "comment": "see line 2"})
        assert no_reason.status == 422
        assert "Choose a reason." in no_reason.text
        assert checked_reason(no_reason.html) == []
        assert comment_text(no_reason.html) == "see line 2"

        # "Something else" says nothing by itself: a comment is required with it.
        unexplained = await visitor.post(
            "/report", {"object": local_id, "reason": "other", "comment": "   "}
        )
        assert unexplained.status == 422
        assert "Explain in the comment what is wrong." in unexplained.text
        assert 'aria-invalid="true"' in unexplained.html
        assert checked_reason(unexplained.html) == ["other"]

        sent = await visitor.post(
            "/report", {"object": local_id, "reason": "other", "comment": "duplicate of #12"}
        )
        assert sent.status == 200

        # Refused as a duplicate: the choice and the comment are still there.
        again = await visitor.post(
            "/report", {"object": local_id, "reason": "abusive", "comment": "rude & <long>"}
        )
        assert again.status == 409
        assert "You already reported this." in again.text
        assert checked_reason(again.html) == ["abusive"]
        assert comment_text(again.html) == "rude &amp; &lt;long&gt;"


async def test_the_api_refuses_other_without_a_comment(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    reader = await node.add_member()
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    for body in (
        {"object": case["local_id"], "reason": "other"},
        {"object": case["local_id"], "reason": "other", "comment": " "},
    ):
        status, problem = await node.request(
            "POST", "/api/v1/reports", token=reader.token, json=body
        )
        assert status == 422, problem
        assert [error["field"] for error in problem["errors"]] == ["comment"]
    status, _ = await node.request(
        "POST",
        "/api/v1/reports",
        token=reader.token,
        json={"object": case["local_id"], "reason": "other", "comment": "a duplicate of #12"},
    )
    assert status == 201
