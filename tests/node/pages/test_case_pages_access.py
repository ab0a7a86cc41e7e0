"""Who may edit and delete, edit history, and how case pages meet strangers."""

from __future__ import annotations

from tests.node.pages.browsing import PASSWORD, browser
from tests.node.pages.test_case_pages_thread import local_id_on
from tests.node.test_federation_basics import CASE
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually


async def test_only_authors_get_edit_and_delete(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Alice Carter", password=PASSWORD)
    ben = await node.add_member(name="Ben Okafor", password=PASSWORD)
    carol = await node.add_member(name="Carol Diaz", password=PASSWORD)
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    case_path = f"/cases/{case['local_id']}"
    _, reply = await node.request(
        "POST", f"/api/v1{case_path}/replies", token=ben.token, json={"content": "MEFV first."}
    )
    reply_path = f"/replies/{reply['local_id']}"

    async with browser(node, carol) as as_carol:
        page = await as_carol.get(case_path)
        assert page.status == 200
        for control in (f"{reply_path}/edit", f"{reply_path}/delete", f"{case_path}/edit"):
            assert control not in page.html
        assert f"{case_path}/delete" not in page.html
        assert "Resolve this case" not in page.html
        assert (await as_carol.get(f"{reply_path}/edit")).status == 403
        assert (await as_carol.get(f"{reply_path}/delete")).status == 403
        forged = await as_carol.post(f"{reply_path}/delete", {})
        assert forged.status == 403 and "Only the author can do that." in forged.text
        edited = await as_carol.post(f"{reply_path}/edit", {"content": "Vandalised"})
        assert edited.status == 403
        assert (await as_carol.post(f"{case_path}/edit", {**CASE, "title": "Mine"})).status == 403
        assert (await as_carol.post(f"{case_path}/delete", {})).status == 403
        poll = {"question": "Next?", "options": "A\nB", "closes_in": "24"}
        assert (await as_carol.post(f"{case_path}/poll", poll)).status == 403
    _, detail = await node.request("GET", f"/api/v1{case_path}", token=author.token)
    assert detail["title"] == CASE["title"] and detail["replies"][0]["content"] == "MEFV first."

    async with browser(node, ben) as as_ben:
        page = await as_ben.get(case_path)
        assert f"{reply_path}/edit" in page.html and f"{reply_path}/delete" in page.html
        assert f"{case_path}/edit" not in page.html
        form = await as_ben.get(f"{reply_path}/edit")
        assert form.status == 200 and "MEFV first." in form.html
        empty = await as_ben.post(f"{reply_path}/edit", {"content": "  "})
        assert empty.status == 422 and "Please fill in this field." in empty.text
        saved = await as_ben.post(f"{reply_path}/edit", {"content": "MEFV and a CRP first."})
        assert saved.status == 303
        page = await as_ben.get(case_path)
        assert "MEFV and a CRP first." in page.html
        history = page.html.split("1 earlier version")[1].split("</details>")[0]
        assert "MEFV first." in history

    async with browser(node, author) as as_author:
        edit = await as_author.post(
            f"{case_path}/edit",
            {"title": "Toddler with periodic fevers", "body": CASE["body"], "question": ""},
        )
        assert edit.status == 422 and "Please fill in this field." in edit.text
        assert "Toddler with periodic fevers" in edit.html
        edit = await as_author.post(
            f"{case_path}/edit",
            {"title": "Toddler with periodic fevers", "body": CASE["body"], "question": "PFAPA?"},
        )
        assert edit.status == 303
        page = await as_author.get(case_path)
        assert "Edited: 1 earlier version" in page.text and CASE["title"] in page.html
        confirm = await as_author.get(f"{case_path}/delete")
        assert confirm.status == 200 and "Delete this case?" in confirm.text
        gone = await as_author.post(f"{case_path}/delete", {})
        assert gone.status == 303 and gone.location == "/?deleted=1"
        feed = await as_author.get("/?deleted=1")
        assert "The case was deleted." in feed.text and "periodic fevers" not in feed.html
        assert (await as_author.get(case_path)).status == 404


async def test_strangers_peers_and_languages(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Alice Carter", password=PASSWORD)
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    case_path = f"/cases/{case['local_id']}"

    async with browser(node) as stranger:
        page = await stranger.get(case_path)
        assert page.status == 302 and page.location == f"/login?next={case_path}"
        assert (await stranger.get("/cases/new")).status == 302
    # Without a browser's Accept header the IRI is a federation resource: unsigned → 401.
    status, body = await node.request("GET", case_path)
    assert status == 401 and CASE["body"] not in str(body)

    for language, direction, country, english in (
        ("he", "rtl", "ארצות הברית", "אנגלית"),
        ("de", "ltr", "Vereinigte Staaten", "Englisch"),
    ):
        async with browser(node, author, language=language) as visitor:
            for path in ("/", "/cases/new", case_path, f"{case_path}/edit"):
                page = await visitor.get(path)
                assert page.status == 200, (language, path)
                assert f'<html lang="{language}" dir="{direction}">' in page.html, path
            page = await visitor.get(case_path)
            assert country in page.text and english in page.text  # babel names the values
            assert (await visitor.get("/cases/unknown000000000")).status == 404


async def test_earlier_versions_are_for_their_author_and_moderators(
    network: NodeNetwork,
) -> None:
    """An author who edits out a detail that could identify the patient must not leave it
    on show: other members see that the text was edited, not what it said, here and on
    peers; the author still sees the earlier versions (moderators too, who need two-factor
    sign-in, which this page-level test does not set up)."""
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member(password=PASSWORD)
    answerer = await us.add_member(password=PASSWORD)
    colleague = await us.add_member(password=PASSWORD)
    jonas = await de.add_member(password=PASSWORD)
    secret = "seen at Mercy Hospital Springfield"
    # The guard flags the hospital; the authors confirm it, and think better of it later.
    confirmed = [{"kind": "facility", "text": "Mercy Hospital"}]
    status, case = await us.request(
        "POST",
        "/api/v1/cases",
        token=author.token,
        json={**CASE, "body": f"{CASE['body']} {secret}.", "acknowledged_findings": confirmed},
    )
    assert status == 201, case
    path = f"/api/v1/cases/{case['local_id']}"
    status, reply = await us.request(
        "POST",
        f"{path}/replies",
        token=answerer.token,
        json={"content": f"Also {secret}?", "acknowledged_findings": confirmed},
    )
    assert status == 201, reply
    status, _ = await us.request("PATCH", path, token=author.token, json={"body": CASE["body"]})
    assert status == 200
    edit = {"content": "Also there?"}
    patched = await us.request(
        "PATCH", f"/api/v1/replies/{reply['local_id']}", token=answerer.token, json=edit
    )
    assert patched[0] == 200

    async def page_for(node: TestNode, account: Account, local_id: str) -> str:
        async with browser(node, account) as visitor:
            page = await visitor.get(f"/cases/{local_id}")
        assert page.status == 200
        return page.html

    others = await page_for(us, colleague, case["local_id"])
    assert '<p class="history muted" id="history-case">Edited: 1 earlier version</p>' in others
    reply_history = f'id="history-{reply["local_id"]}">1 earlier version</p>'
    assert f'<p class="history muted" {reply_history}' in others
    assert "Mercy Hospital" not in others and '<details class="history"' not in others
    assert "Mercy Hospital" in await page_for(us, author, case["local_id"])
    assert "Mercy Hospital" in await page_for(us, answerer, case["local_id"])  # own reply

    async def edited_on_de() -> str | None:
        on = await local_id_on(de, jonas, case["id"])
        html = await page_for(de, jonas, on)
        return html if "Edited: 1 earlier version" in html and "Also there?" in html else None

    on_de = await eventually(edited_on_de, what="the edits on DE")
    assert "Mercy Hospital" not in on_de
