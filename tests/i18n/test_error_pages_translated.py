"""An error page speaks the page's language: its detail as well as its title.

The detail comes from where the error is raised (``not_found(gettext(...))``), so it
is in the request's language: the node's default, Accept-Language, or the member's
setting. The API's problem+json gets the same detail; its ``type`` (the slug) stays
English, since that is what clients match on.
"""

from __future__ import annotations

from html import unescape

from tests.node.accounts.support import PASSWORD, Browser
from tests.rig import NodeNetwork

# path -> (German detail, English detail)
NOT_FOUND = {
    "/cases/doesnotexist": (
        "Diesen Fall gibt es nicht; er wurde möglicherweise gelöscht.",
        "No such case; it may have been deleted.",
    ),
    "/replies/zzz/edit": (
        "Diese Antwort gibt es nicht; sie wurde möglicherweise gelöscht.",
        "No such reply; it may have been deleted.",
    ),
    "/report": (
        "Diesen Fall oder diese Antwort gibt es nicht.",
        "No such case or reply.",
    ),
    "/no/such/page": ("Diese Ressource gibt es nicht.", "No such resource."),
}


async def test_error_pages_on_a_german_node_are_german(network: NodeNetwork) -> None:
    node = await network.spawn("DE", locale="de")
    member = await node.add_member(password=PASSWORD)
    browser = Browser(node)
    try:
        assert (await browser.sign_in(member.email))[0] == 302
        for path, (german, english) in NOT_FOUND.items():
            status, html, _ = await browser.get(path)
            text = unescape(html)
            assert status == 404, (path, status)
            assert "Nicht gefunden" in text, path
            assert german in text, (path, text[:2000])
            assert english not in text, path
    finally:
        await browser.close()


async def test_accept_language_chooses_the_detail_on_pages_and_in_the_api(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    member = await node.add_member(password=PASSWORD)
    browser = Browser(node)
    try:
        assert (await browser.sign_in(member.email))[0] == 302
        for path in ("/cases/doesnotexist", "/replies/zzz/edit"):
            german, english = NOT_FOUND[path]
            status, html, _ = await browser.get(path, headers={"Accept-Language": "de"})
            assert status == 404
            assert german in unescape(html) and english not in unescape(html), path
            status, html, _ = await browser.get(path)
            assert status == 404
            assert english in unescape(html) and german not in unescape(html), path
    finally:
        await browser.close()

    german, english = NOT_FOUND["/cases/doesnotexist"]
    status, body = await node.request(
        "GET",
        "/api/v1/cases/doesnotexist",
        token=member.token,
        headers={"Accept-Language": "de"},
    )
    assert status == 404
    assert body["detail"] == german
    assert body["type"].endswith("/not-found")  # the slug clients match on stays English
    status, body = await node.request("GET", "/api/v1/cases/doesnotexist", token=member.token)
    assert (status, body["detail"]) == (404, english)

    # aiohttp's own errors (no route for this method) are translated as well.
    status, body = await node.request(
        "DELETE", "/api/v1/search", token=member.token, headers={"Accept-Language": "de"}
    )
    assert status == 405
    assert "ist hier nicht erlaubt; erlaubt:" in body["detail"], body
