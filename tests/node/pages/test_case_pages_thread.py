"""The case page across nodes: replies from two other nodes in the origin's order,
anonymous replies, answers to replies, and the live stream of changes."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from node.cases.live import LIVE_UPDATES
from tests.node.pages.browsing import PASSWORD, Browser, browser, reply_ids
from tests.node.test_federation_basics import CASE
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually


async def local_id_on(node: TestNode, account: Account, case_iri: str) -> str:
    async def probe() -> str | None:
        _, listing = await node.request("GET", "/api/v1/cases?limit=100", token=account.token)
        return next((c["local_id"] for c in listing["items"] if c["id"] == case_iri), None)

    return await eventually(probe, what=f"the case on {node.config.country}")


async def reply_from_page(visitor: Browser, local_id: str, content: str, **fields: str) -> str:
    page = await visitor.post(f"/cases/{local_id}/replies", {"content": content, **fields})
    assert page.status == 303, page.text[:1000]
    assert page.location is not None and f"/cases/{local_id}#reply-" in page.location
    return page.location.rsplit("#reply-", 1)[1]


@pytest.fixture
async def trio(network: NodeNetwork) -> tuple[TestNode, TestNode, TestNode]:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    fr = await network.spawn("FR")
    await network.mesh(us, de, fr)
    return us, de, fr


async def test_thread_from_two_nodes_in_the_origins_order(
    trio: tuple[TestNode, TestNode, TestNode],
) -> None:
    us, de, fr = trio
    author = await us.add_member(name="Alice Carter", specialty="pediatrics", password=PASSWORD)
    jonas = await de.add_member(name="Jonas Weber", password=PASSWORD)
    camille = await fr.add_member(name="Camille Dubois", specialty="pediatrics", password=PASSWORD)
    status, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201
    on_de = await local_id_on(de, jonas, case["id"])
    on_fr = await local_id_on(fr, camille, case["id"])

    async with (
        browser(us, author) as at_us,
        browser(de, jonas, language="de") as at_de,
        browser(fr, camille, language="fr") as at_fr,
    ):
        first = await reply_from_page(at_de, on_de, "Check MEFV for FMF before calling it PFAPA.")
        pending = await at_de.get(f"/cases/{on_de}")
        assert first in reply_ids(pending.html)  # shown at once, marked until the origin confirms
        await reply_from_page(at_fr, on_fr, "Tonsillectomy cured two of mine.", anonymous="1")
        mine = await at_fr.get(f"/cases/{on_fr}")
        assert "Camille Dubois" not in mine.html.split('id="thread"')[1].split("</section>")[0]

        async def settled(visitor: Browser, local_id: str, count: int) -> str | None:
            page = await visitor.get(f"/cases/{local_id}")
            ids = reply_ids(page.html)
            done = len(ids) == count and "Waiting for the case" not in page.html
            return page.html if done else None

        us_html = await eventually(lambda: settled(at_us, case["local_id"], 2), what="2 replies")
        _, detail = await us.request("GET", f"/api/v1/cases/{case['local_id']}", token=author.token)
        assert reply_ids(us_html) == [r["local_id"] for r in detail["replies"]]
        assert us_html.index("Check MEFV") < us_html.index("Tonsillectomy")
        # The anonymous reply shows its pseudonym everywhere, never Camille's name.
        pseudonym = next(
            r["author"]["pseudonym"] for r in detail["replies"] if r["author"]["anonymous"]
        )
        assert pseudonym in us_html and "Camille Dubois" not in us_html
        de_html = await eventually(lambda: settled(at_de, on_de, 2), what="2 replies on DE")
        assert pseudonym in de_html and "Camille Dubois" not in de_html
        assert "Jonas Weber" in de_html

        # Answering a reply: the answer sits under it on every node.
        form = await at_us.get(
            f"/cases/{case['local_id']}?reply_to={detail['replies'][0]['local_id']}"
        )
        assert f'name="in_reply_to" value="{detail["replies"][0]["local_id"]}"' in form.html
        # The pseudonym in the anonymity hint keeps its direction and stays on one line.
        hint = r'reply-anonymous-hint">[^<]*<bdi class="nowrap" translate="no">'
        assert re.search(hint, form.html)
        answer = await reply_from_page(
            at_us,
            case["local_id"],
            "Agreed, and a CRP between episodes.",
            in_reply_to=detail["replies"][0]["local_id"],
        )
        answered = await at_us.get(f"/cases/{case['local_id']}")
        nested = answered.html.split(f'id="reply-{detail["replies"][0]["local_id"]}"')[1]
        nested = nested.split(f'id="reply-{detail["replies"][1]["local_id"]}"')[0]
        assert '<ol class="thread nested">' in nested and f'id="reply-{answer}"' in nested
        fr_html = await eventually(lambda: settled(at_fr, on_fr, 3), what="3 replies on FR")
        assert (
            fr_html.index("Check MEFV") < fr_html.index("Agreed") < fr_html.index("Tonsillectomy")
        )
        assert "en réponse à" in fr_html.split("Agreed")[0].rsplit('class="reply', 1)[1]


async def read_event(stream: aiohttp.ClientResponse) -> str:
    """Lines of the stream until a named event arrives; returns its name."""
    while True:
        line = (await stream.content.readline()).decode().strip()
        if line.startswith("event:"):
            return line.split(":", 1)[1].strip()


async def test_live_stream_tells_the_page_when_a_reply_arrives(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member(password=PASSWORD)
    jonas = await de.add_member(password=PASSWORD)
    status, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201
    on_de = await local_id_on(de, jonas, case["id"])
    events = f"/cases/{case['local_id']}/events"

    anonymous_status, _ = await us.request("GET", events)
    assert anonymous_status == 401
    async with browser(us, author) as at_us:
        async with at_us.http.get(
            us.base_url + events, headers={"Accept": "text/event-stream"}
        ) as stream:
            assert stream.status == 200
            assert stream.content_type == "text/event-stream"
            assert (await stream.content.readline()).startswith(b"retry:")
            status, _ = await de.request(
                "POST",
                f"/api/v1/cases/{on_de}/replies",
                token=jonas.token,
                json={"content": "Consider a periodic fever panel."},
            )
            assert status == 201
            assert await asyncio.wait_for(read_event(stream), timeout=30) == "thread"
            page = await at_us.get(f"/cases/{case['local_id']}")
            assert "Consider a periodic fever panel." in page.html
        # The reader left: its stream is dropped from the node's hub.
        assert await eventually(lambda: _no_streams(us), what="the stream to end", within=20)


async def _no_streams(node: TestNode) -> bool:
    return node.running is not None and node.running.app[LIVE_UPDATES].open_streams == 0


async def test_the_author_of_an_anonymous_case_replies_anonymously_unless_they_choose(
    network: NodeNetwork,
) -> None:
    """A reply under the author's name beneath their own anonymous case would tell every
    node who posted it: the reply form's box starts ticked, and the API, when
    ``anonymous`` is left out, keeps the author anonymous (with the case's pseudonym)."""
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    ben = await us.add_member(name="Ben Okafor", password=PASSWORD)
    alice = await us.add_member(name="Alice Carter", password=PASSWORD)
    jonas = await de.add_member(name="Jonas Weber")
    status, case = await us.request(
        "POST", "/api/v1/cases", token=ben.token, json={**CASE, "anonymous": True}
    )
    assert status == 201, case
    local = case["local_id"]

    async with browser(us, ben) as at_us:
        page = await at_us.get(f"/cases/{local}")
    assert page.status == 200, page.html[:3000]
    box = re.search(r'<input type="checkbox" id="reply-anonymous"[^>]*>', page.html)
    assert box is not None and " checked" in box.group(0)
    assert 'id="reply-anonymous-own-case"' in page.html
    async with browser(us, alice) as at_us:
        page = await at_us.get(f"/cases/{local}")
    box = re.search(r'<input type="checkbox" id="reply-anonymous"[^>]*>', page.html)
    assert box is not None and " checked" not in box.group(0)
    assert 'id="reply-anonymous-own-case"' not in page.html

    # The API without "anonymous": the author stays anonymous; anyone else is named.
    replies = f"/api/v1/cases/{local}/replies"
    status, own = await us.request("POST", replies, token=ben.token, json={"content": "Update."})
    assert status == 201, own
    assert own["author"]["anonymous"] is True
    assert own["author"]["pseudonym"] == case["author"]["pseudonym"]
    assert "name" not in own["author"] or own["author"]["name"] is None
    status, other = await us.request("POST", replies, token=alice.token, json={"content": "Hm."})
    assert status == 201 and other["author"]["anonymous"] is False
    # Alice's next reply follows her last choice; an explicit choice always wins.
    await us.request(
        "POST", replies, token=alice.token, json={"content": "Quietly.", "anonymous": True}
    )
    status, again = await us.request("POST", replies, token=alice.token, json={"content": "Again."})
    assert status == 201 and again["author"]["anonymous"] is True
    status, named = await us.request(
        "POST", replies, token=ben.token, json={"content": "Signed.", "anonymous": False}
    )
    assert status == 201 and named["author"]["anonymous"] is False

    # The peer never sees Ben's name on the reply that kept him anonymous.
    async def on_de() -> dict[str, object] | None:
        on = await local_id_on(de, jonas, case["id"])
        _, detail = await de.request("GET", f"/api/v1/cases/{on}", token=jonas.token)
        return detail if len(detail["replies"]) == 5 else None

    seen = await eventually(on_de, what="the five replies on DE")
    kept = next(r for r in seen["replies"] if r["id"] == own["id"])  # type: ignore[index]
    assert kept["author"]["anonymous"] is True
    assert kept["author"]["pseudonym"] == case["author"]["pseudonym"]
    assert "Ben Okafor" not in str(kept)
