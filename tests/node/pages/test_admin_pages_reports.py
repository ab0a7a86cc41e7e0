"""The reports page: open reports with reason, comment, origin, excerpt and a link; a
moderator dismisses, hides or removes with a reason; decided reports in their own tab."""

from __future__ import annotations

import re
from typing import Any

from node.members.models import Role
from tests.node.pages.test_admin_pages import audit, signed_in, staff, text_of
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually


def report_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/admin/reports/(\d+)/decision"', html)]


async def report(node: TestNode, token: str, obj: str, reason: str, comment: str = "") -> None:
    status, body = await node.request(
        "POST",
        "/api/v1/reports",
        token=token,
        json={"object": obj, "reason": reason, "comment": comment},
    )
    assert status == 201, body


async def test_a_moderator_decides_reports_from_the_page(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Posting Author")
    reader = await node.add_member(name="Careful Reader")
    moderator = await staff(node, Role.MODERATOR, name="Mo Derator")
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    _, reply = await node.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/replies",
        token=reader.token,
        json={"content": "Buy cheap watches at example dot com, best prices"},
    )
    await report(node, author.token, reply["local_id"], "spam", "an advert, not an answer")
    await report(node, reader.token, case["local_id"], "identifiable-patient-data", "school named")

    async with signed_in(node, moderator, Role.MODERATOR) as browser:
        _, overview, _ = await browser.get("/admin")
        assert "2 open reports" in text_of(overview)
        status, html, _ = await browser.get("/admin/reports")
        assert status == 200
        text = text_of(html)
        assert "Identifiable patient data" in text and "Spam" in text
        assert "school named" in text and "an advert, not an answer" in text
        assert "A member of this node" in text
        assert case["title"][:50] in text and "Buy cheap watches" in text
        assert f'href="/cases/{case["local_id"]}"' in html
        assert f'href="/cases/{case["local_id"]}#reply-{reply["local_id"]}"' in html
        assert "Careful Reader" not in text  # reporters are not named
        case_report, reply_report = report_ids(html)  # newest first

        status, html, _ = await browser.post(
            f"/admin/reports/{case_report}/decision",
            {"action": "hide", "reason": "too short"},
            form_page="/admin/reports",
        )
        assert status == 422 and "at least 10 characters" in html
        status, html, _ = await browser.post(
            f"/admin/reports/{case_report}/decision",
            {"reason": "the school and town identify the child"},
            form_page="/admin/reports",
        )
        assert status == 422 and "Choose what to do" in html
        status, _, response = await browser.post(
            f"/admin/reports/{case_report}/decision",
            {"action": "hide", "reason": "the school and town identify the child"},
            form_page="/admin/reports",
        )
        assert (status, response.headers["Location"]) == (302, "/admin/reports?notice=hidden")
        status, _, response = await browser.post(
            f"/admin/reports/{reply_report}/decision",
            {"action": "remove", "reason": "advertising, not medicine"},
            form_page="/admin/reports",
        )
        assert (status, response.headers["Location"]) == (302, "/admin/reports?notice=removed")

        _, html, _ = await browser.get("/admin/reports?notice=removed")
        assert "The post was removed." in html and "No open reports." in html
        _, html, _ = await browser.get("/admin/reports?tab=decided")
        text = text_of(html)
        assert "Post hidden" in text and "Post removed" in text and "Mo Derator" in text
        assert "the school and town identify the child" in text
        assert "The post is no longer on this node." in text  # the removed reply

        status, html, _ = await browser.post(
            f"/admin/reports/{case_report}/decision",
            {"action": "dismiss", "reason": "second thoughts on this"},
            form_page="/admin/reports",
        )
        assert status == 409 and "already decided" in html

    # The hidden case is gone from the feed.
    assert (await node.request("GET", "/api/v1/cases", token=reader.token))[1]["items"] == []
    decisions = [(e.action, e.actor) for e in await audit(node, "report.hide")]
    assert decisions == [("report.hide", f"member:{moderator.public_id}")]


async def test_a_report_from_a_peer_names_the_node_only(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member()
    de_reader = await de.add_member(name="Deutsche Leserin")
    moderator = await staff(us, Role.MODERATOR)
    assert (await us.request("POST", "/api/v1/cases", token=author.token, json=CASE))[0] == 201

    async def copy_on_de() -> dict[str, Any] | None:
        _, listing = await de.request("GET", "/api/v1/cases", token=de_reader.token)
        return listing["items"][0] if listing["items"] else None

    remote = await eventually(copy_on_de, what="the case on DE")
    await report(de, de_reader.token, remote["local_id"], "misinformation", "dangerous dose")

    async with signed_in(us, moderator, Role.MODERATOR) as browser:

        async def flagged() -> str | None:
            _, html, _ = await browser.get("/admin/reports")
            return html if report_ids(html) else None

        html = await eventually(flagged, what="the Flag on the origin's reports page")
        text = text_of(html)
        assert f"A member of {de.base_url}" in text and "Misinformation" in text
        assert "dangerous dose" not in text  # the comment stays on the reporter's node
        assert "Deutsche Leserin" not in text and de_reader.email not in text


def tab_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="admin-tabs".*?</nav>', html, re.S)
    assert nav is not None
    return [text_of(label).strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(0))]


async def test_tabs_name_what_they_list_in_the_readers_language(network: NodeNetwork) -> None:
    # A bare "Open" or "Rejected" is one msgid for every use, and the adjective then
    # agrees with the wrong noun in many languages ("Abierto", a case, on a tab of
    # reports, "denuncias abiertas"). Each tab says what it lists.
    node = await network.spawn("US")
    admin = await staff(node, Role.ADMIN, name="Ada Admin")
    async with signed_in(node, admin, Role.ADMIN) as browser:
        spanish = {"Accept-Language": "es"}
        _, reports, _ = await browser.get("/admin/reports", headers=spanish)
        assert tab_labels(reports) == ["Denuncias abiertas", "Denuncias resueltas"]
        _, claims, _ = await browser.get("/admin/verification", headers=spanish)
        assert tab_labels(claims) == [
            "Solicitudes pendientes de revisión",
            "Solicitudes aceptadas",
            "Solicitudes rechazadas",
        ]
        _, english, _ = await browser.get("/admin/reports")
        assert tab_labels(english) == ["Open reports", "Decided reports"]


def restore_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/admin/reports/(\d+)/restore"', html)]


async def test_a_moderator_restores_a_hidden_post_from_the_decided_tab(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    reader = await node.add_member()
    moderator = await staff(node, Role.MODERATOR, name="Mo Derator")
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    await report(node, reader.token, case["local_id"], "spam")
    await report(node, author.token, case["local_id"], "other", "posted by mistake, twice")
    _, listing = await node.request("GET", "/api/v1/admin/reports", token=moderator.token)
    hid, dismissed = [item["id"] for item in listing["items"]]
    for report_id, action in ((hid, "hide"), (dismissed, "dismiss")):
        status, _ = await node.request(
            "POST",
            f"/api/v1/admin/reports/{report_id}/decision",
            token=moderator.token,
            json={"action": action, "reason": "looked like advertising"},
        )
        assert status == 200
    assert (await node.request("GET", "/api/v1/cases", token=reader.token))[1]["items"] == []

    async with signed_in(node, moderator, Role.MODERATOR) as browser:
        _, html, _ = await browser.get("/admin/reports?tab=decided")
        assert restore_ids(html) == [hid]  # not for the dismissed report
        assert "Restore the post" in text_of(html)
        path = f"/admin/reports/{hid}/restore"
        form = "/admin/reports?tab=decided"
        reason = {"reason": "a real case after all, not an advert"}
        status, _, _ = await browser.post(path, reason, form_page=form, csrf=False)
        assert status == 403  # no CSRF token
        status, html, _ = await browser.post(path, {"reason": "too short"}, form_page=form)
        assert status == 422 and "at least 10 characters" in html
        assert restore_ids(html) == [hid]  # still on the decided tab, the text kept
        assert ">too short</textarea>" in html
        status, _, response = await browser.post(path, reason, form_page=form)
        assert status == 302
        assert response.headers["Location"] == "/admin/reports?tab=decided&notice=restored"
        _, html, _ = await browser.get(response.headers["Location"])
        text = text_of(html)
        assert "The post is visible again on this node." in text and "Post restored" in text
        assert reason["reason"] in text and restore_ids(html) == []
        status, html, _ = await browser.post(path, reason, form_page=form)
        assert status == 409 and "The post is not hidden." in html

    _, listing = await node.request("GET", "/api/v1/cases", token=reader.token)
    assert [item["local_id"] for item in listing["items"]] == [case["local_id"]]
    restores = [(e.actor, e.subject, e.reason) for e in await audit(node, "report.restore")]
    assert restores == [(f"member:{moderator.public_id}", case["id"], reason["reason"])]
