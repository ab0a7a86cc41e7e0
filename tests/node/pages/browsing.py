"""A signed-in browser for page tests: cookies, CSRF tokens, form posts (no mocks)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from html import unescape
from typing import Any

import aiohttp

from tests.rig import Account, TestNode

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Page:
    status: int
    html: str
    location: str | None

    @property
    def text(self) -> str:
        """The page without tags, entities decoded: what a reader sees."""
        return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.html)))


class Browser:
    def __init__(self, node: TestNode, http: aiohttp.ClientSession, language: str) -> None:
        self.node = node
        self.http = http
        self.language = language
        self.csrf = ""

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Language": self.language,
        }

    async def get(self, path: str) -> Page:
        async with self.http.get(
            self.node.base_url + path, headers=self._headers(), allow_redirects=False
        ) as response:
            page = Page(response.status, await response.text(), response.headers.get("Location"))
        match = _CSRF.search(page.html)
        if match:
            self.csrf = match.group(1)
        return page

    async def post(self, path: str, data: Any, *, csrf: bool = True) -> Page:
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        if csrf:
            if not self.csrf:
                await self.get("/")
            fields.append(("csrf_token", self.csrf))
        async with self.http.post(
            self.node.base_url + path, data=fields, headers=self._headers(), allow_redirects=False
        ) as response:
            return Page(response.status, await response.text(), response.headers.get("Location"))

    async def sign_in(self, account: Account, password: str = PASSWORD) -> None:
        await self.get("/login")
        page = await self.post(
            "/login", {"email": account.email, "password": password, "next": "/"}
        )
        assert page.status == 302, page.html[:300]
        self.csrf = ""  # the token is bound to the new session: take a fresh one


@asynccontextmanager
async def browser(
    node: TestNode, account: Account | None = None, *, language: str = "en"
) -> AsyncIterator[Browser]:
    jar = aiohttp.CookieJar(unsafe=True)  # the rig's nodes live on 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        visitor = Browser(node, http, language)
        if account is not None:
            await visitor.sign_in(account)
        yield visitor


def reply_ids(html: str) -> list[str]:
    """The replies on a case page, in document order."""
    return re.findall(r'<li class="reply[^"]*" id="reply-([a-z2-7]+)"', html)
