"""Helpful marks, the poll, the resolution and deleting a reply, through the case page
forms, across two nodes."""

from __future__ import annotations

import re

from tests.node.pages.browsing import PASSWORD, Browser, browser, reply_ids
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork
from tests.waiting import eventually


def helpful_line(html: str, reply_id: str) -> str:
    match = re.search(rf'id="helpful-{reply_id}">([^<]*)<', html)
    assert match, reply_id
    return match.group(1)


async def page_with(visitor: Browser, path: str, needle: str, what: str) -> str:
    async def probe() -> str | None:
        page = await visitor.get(path)
        return page.html if needle in page.html else None

    return await eventually(probe, what=what, within=30)


async def test_helpful_vote_resolve_and_delete(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member(name="Alice Carter", password=PASSWORD)
    ben = await us.add_member(name="Ben Okafor", password=PASSWORD)
    jonas = await de.add_member(name="Jonas Weber", password=PASSWORD)
    status, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201
    case_path = f"/cases/{case['local_id']}"
    _, ben_reply = await us.request(
        "POST", f"/api/v1{case_path}/replies", token=ben.token, json={"content": "MEFV first."}
    )

    async with (
        browser(us, author) as at_us,
        browser(us, ben) as as_ben,
        browser(de, jonas) as at_de,
    ):
        # The author adds a poll (a poll needs two options at least).
        poll_form = await at_us.get(case_path)
        assert "Ask your colleagues a poll question" in poll_form.html
        one = await at_us.post(
            f"{case_path}/poll", {"question": "Next step?", "options": "FMF", "closes_in": "72"}
        )
        assert one.status == 422 and "Give at least two options." in one.text
        added = await at_us.post(
            f"{case_path}/poll",
            {
                "question": "Next step?",
                "options": "Genetic test\nSteroid trial\n",
                "closes_in": "72",
            },
        )
        assert added.status == 303

        # On DE: results stay hidden until Jonas votes.
        _, de_list = await de.request("GET", "/api/v1/cases", token=jonas.token)
        on_de = next(c["local_id"] for c in de_list["items"] if c["id"] == case["id"])
        de_path = f"/cases/{on_de}"
        before = await page_with(at_de, de_path, "Next step?", "the poll on DE")
        poll = before.split('id="poll"')[1].split("</section>")[0]
        assert "<meter" not in poll and 'name="choice"' in poll
        voted = await at_de.post(f"{de_path}/poll/votes", {"choice": "0"})
        assert voted.status == 303 and voted.location == f"{de_path}#poll"
        again = await at_de.post(f"{de_path}/poll/votes", {"choice": "1"})
        assert again.status == 409 and "You already voted in this poll." in again.text
        after = await page_with(at_de, de_path, "1 vote", "the origin's tally on DE")
        assert "<meter" in after and "You voted" in after

        # Helpful: Jonas marks Ben's reply; his own reply has no button.
        jonas_reply = await at_de.post(f"{de_path}/replies", {"content": "Also a CRP."})
        assert jonas_reply.status == 303
        jonas_id = (jonas_reply.location or "").rsplit("#reply-", 1)[1]
        with_ben = await page_with(at_de, de_path, "MEFV first.", "Ben's reply on DE")
        ben_on_de = next(rid for rid in reply_ids(with_ben) if rid != jonas_id)
        assert f'action="/replies/{jonas_id}/helpful"' not in with_ben
        marked = await at_de.post(f"/replies/{ben_on_de}/helpful", {})
        assert marked.status == 303
        page = await at_de.get(de_path)
        assert "You marked this reply helpful." in page.html
        assert f'action="/replies/{ben_on_de}/helpful"' not in page.html
        twice = await at_de.post(f"/replies/{ben_on_de}/helpful", {})
        assert twice.status == 409 and "already marked this reply helpful" in twice.text

        async def counted() -> bool:
            html = (await as_ben.get(case_path)).html
            return helpful_line(html, ben_reply["local_id"]).startswith("1 ")

        await eventually(counted, what="the helpful mark counted at the origin", within=30)

        # The author resolves the case; the accepted reply is highlighted everywhere.
        incomplete = await at_us.post(
            f"{case_path}/resolution",
            {"accepted_reply": ben_reply["local_id"], "summary": "FMF confirmed."},
        )
        assert incomplete.status == 422 and "Please answer this question." in incomplete.text
        assert "FMF confirmed." in incomplete.html  # what was typed is kept
        resolved = await at_us.post(
            f"{case_path}/resolution",
            {
                "accepted_reply": ben_reply["local_id"],
                "summary": "FMF confirmed.",
                "found_what_needed": "yes",
            },
        )
        assert resolved.status == 303
        page = await at_us.get(case_path)
        assert f'class="reply is-accepted" id="reply-{ben_reply["local_id"]}"' in page.html
        assert "Accepted answer" in page.text and "The author found what they needed." in page.text
        on_de_resolved = await page_with(at_de, de_path, "FMF confirmed.", "the resolution on DE")
        assert f'class="reply is-accepted" id="reply-{ben_on_de}"' in on_de_resolved
        feed = await at_de.get("/")
        assert "Resolved" in feed.text

        # Deleting your own reply: a confirmation page first (no JavaScript needed).
        await page_with(at_us, case_path, "Also a CRP.", "Jonas's reply at the origin")
        confirm = await at_de.get(f"/replies/{jonas_id}/delete")
        assert confirm.status == 200 and "Also a CRP." in confirm.text
        deleted = await at_de.post(f"/replies/{jonas_id}/delete", {})
        assert deleted.status == 303
        assert jonas_id not in reply_ids((await at_de.get(de_path)).html)

        async def gone_at_origin() -> bool:
            return "Also a CRP." not in (await at_us.get(case_path)).html

        await eventually(gone_at_origin, what="the reply deleted at the origin", within=30)
