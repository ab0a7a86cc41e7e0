"""Members report a case or a reply from its page; moderators see it, the origin too."""

from __future__ import annotations

import re

from node.members.models import Role
from tests.node.pages.browsing import PASSWORD, browser
from tests.node.pages.test_admin_pages import audit, signed_in, text_of
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


async def test_a_moderator_hides_a_post_from_the_report_form(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    reader = await node.add_member(password=PASSWORD)
    moderator = await node.add_member(password=PASSWORD, role=Role.MODERATOR)
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    local_id = case["local_id"]
    hiding = {
        "object": local_id,
        "reason": "identifiable-patient-data",
        "comment": "names the patient's school",
        "hide": "on",
    }

    async def listed() -> list[str]:
        _, body = await node.request("GET", "/api/v1/cases", token=reader.token)
        return [item["local_id"] for item in body["items"]]

    async with browser(node, reader) as visitor:
        form = await visitor.get(f"/report?object={local_id}")
        assert 'name="hide"' not in form.html  # members report; they do not hide
        sent = await visitor.post("/report", hiding)
        assert sent.status == 200 and "Your report was sent to the moderators." in sent.text
    assert await listed() == [local_id]  # a member's "hide" is only a report

    async with signed_in(node, moderator, Role.MODERATOR) as staff:
        form_page = f"/report?object={local_id}"
        _, html, _ = await staff.get(form_page)
        assert 'name="hide"' in html
        # They reported it first, as anyone would; hiding it later decides that report.
        status, _, _ = await staff.post(
            "/report", {**hiding, "hide": "", "reason": "spam"}, form_page=form_page
        )
        assert status == 200
        status, html, _ = await staff.post(
            "/report", {**hiding, "comment": "school"}, form_page=form_page
        )
        assert status == 422 and "at least 10 characters" in text_of(html)
        assert re.search(r'name="hide" id="hide" value="on"[^>]* checked', html)
        status, html, _ = await staff.post("/report", hiding, form_page=form_page)
        assert status == 200 and "The post is hidden on this node." in text_of(html)
        assert "<title>Post hidden" in html
    assert await listed() == []

    _, hidden = await node.request(
        "GET", "/api/v1/admin/reports?state=hidden", token=moderator.token
    )
    assert [r["comment"] for r in hidden["items"]] == [hiding["comment"]]
    decisions = [(e.actor, e.reason) for e in await audit(node, "report.hide")]
    assert decisions == [(f"member:{moderator.public_id}", hiding["comment"])]
