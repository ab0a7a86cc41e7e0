"""Who may edit and delete, edit history, and how case pages meet strangers."""

from __future__ import annotations

from tests.node.pages.browsing import PASSWORD, browser
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork


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
