"""The /search page: a GET form, highlighted results, and nothing for outsiders."""

from __future__ import annotations

import aiohttp

from tests.node.search.support import post_case, post_reply
from tests.node.test_web_basics import sign_in
from tests.rig import NodeNetwork

PASSWORD = "correct horse battery"


async def test_search_page_highlights_and_keeps_the_form(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    reader = await node.add_member(password=PASSWORD)
    author = await node.add_member(specialty="neurology")
    colleague = await node.add_member()
    case = await post_case(
        node,
        author,
        title="Myasthenia <script>alert(1)</script> crisis?",
        body="Ptosis by evening, dysphagia.",
        question="Thymectomy now or later?",
        specialties=["neurology"],
    )
    await post_reply(
        node,
        colleague,
        case["local_id"],
        "Myasthenia with thymoma: thymectomy first.",
        anonymous=True,
    )
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(node.base_url + "/search?q=x", allow_redirects=False) as response:
            assert response.status == 302
            assert response.headers["Location"].startswith("/login")
        assert await sign_in(node, browser, reader.email, PASSWORD) == 302
        async with browser.get(
            node.base_url + "/search", params={"q": "thymectomy", "specialty": "neurology"}
        ) as response:
            assert response.status == 200
            html = await response.text()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<mark>Thymectomy</mark>" in html  # in the question
        assert "<mark>thymectomy</mark>" in html  # in the anonymous reply
        assert f'href="/cases/{case["local_id"]}#reply-' in html
        assert "Anonymous physician" in html and colleague.name not in html
        assert 'value="thymectomy"' in html
        assert '<option value="neurology" selected>' in html
        assert 'aria-current="page"' in html  # the nav item
        # A label, not "From United States" (a preposition many languages inflect after).
        assert "Country: United States" in html and "From United States" not in html

        async with browser.get(node.base_url + "/search", params={"q": "zzzz"}) as response:
            assert "No case or reply holds all of these words." in await response.text()
        async with browser.get(node.base_url + "/search", params={"q": '"*:('}) as response:
            assert response.status == 200
            assert "Type at least one word" in await response.text()
        # A hand-edited link with a bad filter still searches, and says what it left out.
        async with browser.get(
            node.base_url + "/search", params={"q": "myasthenia", "country": "usa", "x": "1"}
        ) as response:
            html = await response.text()
            assert response.status == 200
            assert "were not understood" in html
            assert "<mark>Myasthenia</mark>" in html
        async with browser.get(node.base_url + "/search") as response:
            html = await response.text()
            assert response.status == 200 and "search-results" not in html


async def test_search_page_pages_and_unverified_members(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    reader = await node.add_member(password=PASSWORD)
    pending = await node.add_member(password=PASSWORD, verified=False)
    author = await node.add_member()
    for n in range(3):
        await post_case(node, author, title=f"Hyponatraemia puzzle {n}")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        assert await sign_in(node, browser, reader.email, PASSWORD) == 302
        async with browser.get(node.base_url + "/search?q=hyponatraemia&cursor=~2") as response:
            html = await response.text()
            assert html.count('class="search-hit"') == 1
        async with browser.get(node.base_url + "/search?q=hyponatraemia") as response:
            html = await response.text()
            assert html.count('class="search-hit"') == 3
            assert 'rel="next"' not in html
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        assert await sign_in(node, browser, pending.email, PASSWORD) == 302
        async with browser.get(
            node.base_url + "/search?q=hyponatraemia", allow_redirects=False
        ) as response:
            assert response.status == 302
            assert response.headers["Location"] == "/verification"
