"""Web pages: sign-in with an encrypted session cookie, CSRF, language, error pages."""

from __future__ import annotations

import re

import aiohttp

from node.web.branding import with_product, without_product
from tests.rig import NodeNetwork, TestNode

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


async def sign_in(
    node: TestNode, jar_session: aiohttp.ClientSession, email: str, password: str
) -> int:
    async with jar_session.get(node.base_url + "/login") as response:
        token = csrf_of(await response.text())
    async with jar_session.post(
        node.base_url + "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        allow_redirects=False,
    ) as response:
        return response.status


async def test_sign_in_sign_out_and_csrf(network: NodeNetwork) -> None:
    node = await network.spawn("DE", locale="de")
    account = await node.add_member(name="Lena Schmidt", password=PASSWORD)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(node.base_url + "/", allow_redirects=False) as response:
            assert response.status == 302
            assert response.headers["Location"].startswith("/login")
        assert await sign_in(node, browser, account.email, "wrong password!!") == 401
        assert await sign_in(node, browser, account.email, PASSWORD) == 302
        cookie = next(c for c in browser.cookie_jar if c.key == "cs_session")
        assert cookie["httponly"]
        assert account.email not in cookie.value and "Lena" not in cookie.value
        async with browser.get(node.base_url + "/") as response:
            html = await response.text()
            assert response.status == 200
            assert "Lena Schmidt" in html
            assert '<html lang="de" dir="ltr">' in html  # the node default language
            assert response.headers["Cache-Control"] == "no-store"
        # A form post without the CSRF token is refused.
        async with browser.post(
            node.base_url + "/logout",
            data={},
            allow_redirects=False,
            headers={"Accept": "text/html"},
        ) as response:
            assert response.status == 403
        async with browser.get(node.base_url + "/") as response:
            token = csrf_of(await response.text())
        async with browser.post(
            node.base_url + "/logout", data={"csrf_token": token}, allow_redirects=False
        ) as response:
            assert response.status == 302
        async with browser.get(node.base_url + "/", allow_redirects=False) as response:
            assert response.status == 302  # the session was revoked server-side


async def test_language_negotiation_and_error_pages(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    async with aiohttp.ClientSession() as browser:
        for header, lang, direction in [
            ("he-IL,he;q=0.9,en;q=0.5", "he", "rtl"),
            ("fr-CA, en;q=0.2", "fr", "ltr"),
            ("xx-YY;q=abc, ;;;, *;q=0.1", "en", "ltr"),
            ("tlh", "en", "ltr"),
            ("no", "nb", "ltr"),
        ]:
            async with browser.get(
                node.base_url + "/login", headers={"Accept-Language": header}
            ) as response:
                html = await response.text()
                assert response.status == 200, header
                assert f'<html lang="{lang}" dir="{direction}">' in html, header
        async with browser.get(
            node.base_url + "/no/such/page", headers={"Accept": "text/html"}
        ) as response:
            assert response.status == 404
            assert response.content_type == "text/html"
            html = await response.text()
            assert "Traceback" not in html
    status, body = await node.request("GET", "/api/v1/no-such")
    assert status == 404 and body["status"] == 404  # machines still get problem+json


async def test_bearer_token_does_not_open_pages_and_cookies_do_not_open_the_api(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    account = await node.add_member(password=PASSWORD)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        assert await sign_in(node, browser, account.email, PASSWORD) == 302
        async with browser.get(node.base_url + "/api/v1/me") as response:
            assert response.status == 401
    async with (
        aiohttp.ClientSession() as client,
        client.get(
            node.base_url + "/",
            headers={"Authorization": f"Bearer {account.token}"},
            allow_redirects=False,
        ) as response,
    ):
        assert response.status == 302


async def test_the_favicon_is_served(network: NodeNetwork) -> None:
    """Every page links an icon, and /favicon.ico answers too (it was a 404 in every
    browser console), cacheable; no sign-in needed."""
    node = await network.spawn("US")
    async with aiohttp.ClientSession() as http:
        async with http.get(node.base_url + "/login") as response:
            page = await response.text()
        link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
        assert link is not None, page[:800]
        async with http.get(node.base_url + link.group(1)) as response:
            assert response.status == 200
            linked = await response.read()
        async with http.get(node.base_url + "/favicon.ico", allow_redirects=False) as response:
            assert response.status == 200
            assert response.content_type == "image/svg+xml"
            assert "max-age=" in response.headers["Cache-Control"]
            assert await response.read() == linked and linked.startswith(b"<svg")


def test_the_product_name_is_said_once() -> None:
    assert without_product("Curbside United States") == "United States"
    assert without_product("curbside  Deutschland") == "Deutschland"
    assert without_product("Curbsider Lyon") == "Curbsider Lyon"
    assert without_product("Curbside") == ""
    assert with_product("Curbside United States") == "Curbside United States"
    assert with_product("Lyon Clinicians") == "Curbside Lyon Clinicians"
    assert with_product("Curbside") == "Curbside"


async def test_the_header_names_the_product_once(network: NodeNetwork) -> None:
    node = await network.spawn("US", name="Curbside United States")
    async with aiohttp.ClientSession() as http, http.get(node.base_url + "/login") as response:
        page = await response.text()
    brand = re.search(r'<a class="brand" href="/">(.*?)</a>', page, re.S)
    assert brand is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", brand.group(1))).strip()
    assert text == "Curbside United States"
