"""The home feed: federated cases, filters, open cases first, paging."""

from __future__ import annotations

from typing import Any

from tests.node.pages.browsing import PASSWORD, browser
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork
from tests.waiting import eventually


async def test_feed_lists_federated_cases_and_filters_them(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    us_author = await us.add_member(name="Alice Carter", specialty="pediatrics")
    de_reader = await de.add_member(name="Jonas Weber", password=PASSWORD)
    german: dict[str, Any] = {
        **CASE,
        "title": "Belastungsdyspnoe bei junger Läuferin",
        "body": "Seit drei Monaten Atemnot beim Laufen, Spirometrie unauffällig.",
        "question": "Welche Diagnostik als Nächstes?",
        "specialties": ["pulmonology"],
        "language": "de",
        "anonymous": True,
    }
    status, _ = await us.request("POST", "/api/v1/cases", token=us_author.token, json=CASE)
    assert status == 201
    status, local = await de.request("POST", "/api/v1/cases", token=de_reader.token, json=german)
    assert status == 201

    async with browser(de, de_reader) as visitor:

        async def both_listed() -> str | None:
            page = await visitor.get("/")
            return page.html if CASE["title"] in page.html else None

        html = await eventually(both_listed, what="the US case in the DE feed")
        assert german["title"] in html
        assert "Alice Carter" in html and "United States" in html
        # A label, not "From United States" (a preposition many languages inflect after).
        assert "Country: United States" in html and "From United States" not in html
        results = html.split('id="results-heading"')[1]
        assert "Jonas Weber" not in results  # his German case is anonymous
        assert "Anonymous physician" in results

        by_specialty = await visitor.get("/?specialty=pulmonology")
        assert german["title"] in by_specialty.html and CASE["title"] not in by_specialty.html
        assert 'value="pulmonology" selected' in by_specialty.html  # the form keeps the filter
        by_language = await visitor.get("/?language=en")
        assert CASE["title"] in by_language.html and german["title"] not in by_language.html
        by_country = await visitor.get("/?country=DE")
        assert german["title"] in by_country.html and CASE["title"] not in by_country.html
        searched = await visitor.get("/?q=toddler")  # the full-text search, same filters
        assert CASE["title"] in searched.html and german["title"] not in searched.html
        assert 'value="toddler"' in searched.html
        resolved = await visitor.get("/?status=resolved")
        assert "No case matches these filters." in resolved.text
        tampered = await visitor.get("/?specialty=astrology&status=closed")
        assert tampered.status == 200
        assert "were not understood" in tampered.text
        assert CASE["title"] in tampered.html and german["title"] in tampered.html
        assert local["local_id"] in html  # items link to this node's case pages


async def test_feed_puts_open_cases_first_and_pages(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(password=PASSWORD)
    other = await node.add_member()
    titles = [f"Case number {n:02d}" for n in range(22)]
    ids = []
    for title in titles:
        status, case = await node.request(
            "POST", "/api/v1/cases", token=author.token, json={**CASE, "title": title}
        )
        assert status == 201
        ids.append(case["local_id"])
    # The newest case gets resolved: it moves behind every open case.
    _, reply = await node.request(
        "POST", f"/api/v1/cases/{ids[-1]}/replies", token=other.token, json={"content": "MEFV"}
    )
    status, _ = await node.request(
        "POST",
        f"/api/v1/cases/{ids[-1]}/resolution",
        token=author.token,
        json={"accepted_reply": reply["local_id"], "summary": "FMF", "found_what_needed": True},
    )
    assert status == 201
    async with browser(node, author) as visitor:
        first = await visitor.get("/")
        shown = [t for t in titles if t in first.html]
        assert len(shown) == 20
        assert first.html.index(titles[20]) < first.html.index(titles[1])  # newest open first
        assert titles[0] not in first.html and titles[21] not in first.html
        # The resolved case comes after all 21 open ones, on the second page.
        assert "Resolved" not in first.text.split("Results")[1]
        more = first.html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
        second = await visitor.get(more.replace("&amp;", "&"))
        assert second.status == 200
        assert titles[0] in second.html and titles[21] in second.html
        assert second.html.index(titles[0]) < second.html.index(titles[21])
        assert "Resolved" in second.text
        assert 'rel="next"' not in second.html
