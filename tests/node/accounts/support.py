"""Helpers for the account tests: a real SMTP server, a browser with cookies, forms."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import aiohttp
import pyotp

from node.runner import port_for_another_process
from tests.rig import TestNode
from tests.waiting import eventually

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Mailbox:
    """What a real SMTP server (aiosmtpd, on loopback) received."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    async def next_to(self, address: str, count: int = 1) -> EmailMessage:
        """Wait until ``address`` has ``count`` messages; the newest one."""

        async def arrived() -> list[EmailMessage]:
            found = self.to(address)
            return found if len(found) >= count else []

        return (await eventually(arrived, what=f"mail #{count} to {address}"))[-1]

    def settings(self) -> dict[str, Any]:
        return {
            "mail_delivery": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_starttls": False,
        }


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def link_in(message: EmailMessage, path: str) -> str:
    match = re.search(r"https?://\S+" + re.escape(path) + r"[A-Za-z0-9_-]+", text_of(message))
    assert match, text_of(message)
    return match.group(0)


def free_port() -> int:
    """For a server another process (or a later bind) takes: see the helper."""
    return port_for_another_process()


class Browser:
    """A visitor with a cookie jar, posting forms the way a browser does."""

    def __init__(
        self, node: TestNode, user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    ) -> None:
        self.node = node
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            headers={"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml"},
        )

    async def close(self) -> None:
        await self.http.close()

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.node.base_url + path

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str, aiohttp.ClientResponse]:
        kwargs.setdefault("allow_redirects", False)
        async with self.http.get(self.url(path), **kwargs) as response:
            return response.status, await response.text(), response

    async def csrf(self, path: str = "/login") -> str:
        _, html, _ = await self.get(path, allow_redirects=True)
        match = CSRF.search(html)
        assert match, html[:400]
        return match.group(1)

    async def post(
        self, path: str, data: dict[str, str], *, form_page: str | None = None, csrf: bool = True
    ) -> tuple[int, str, aiohttp.ClientResponse]:
        """Post ``data`` with the CSRF token of ``form_page`` (default: the login page)."""
        if csrf:
            data = {**data, "csrf_token": await self.csrf(form_page or "/login")}
        async with self.http.post(
            self.url(path), data=data, allow_redirects=False, headers={"Accept": "text/html"}
        ) as response:
            return response.status, await response.text(), response

    async def sign_in(self, email: str, password: str = PASSWORD) -> tuple[int, str, str]:
        """(status, Location, page) of the password step."""
        status, html, response = await self.post("/login", {"email": email, "password": password})
        return status, response.headers.get("Location", ""), html

    def has_session(self) -> bool:
        return any(c.key == "cs_session" for c in self.http.cookie_jar)


def open_browser(browsers: list[Browser], node: TestNode, **kwargs: Any) -> Browser:
    browser = Browser(node, **kwargs)
    browsers.append(browser)
    return browser


def secret_on(html: str) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert match, html[:2000]
    return match.group(1).replace(" ", "")


def recovery_codes_on(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", html)


def code_at(secret: str, steps_ahead: int = 0) -> str:
    """The code for now (0) or the next 30-second step (1). Both are accepted (clock
    drift) even if the step rolls over in between, and the second is newer than the
    first, so a test uses two codes without waiting for the clock."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def wrong_code(secret: str) -> str:
    valid = {code_at(secret, k) for k in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


async def set_up_at_login(browser: Browser, email: str) -> tuple[str, list[str]]:
    """A moderator's first sign-in: password, then the forced set-up. (secret, codes)"""
    status, location, _ = await browser.sign_in(email)
    assert (status, location) == (302, "/login/two-factor/setup")
    _, html, _ = await browser.get(location)
    secret = secret_on(html)
    status, html, _ = await browser.post(
        "/login/two-factor/setup", {"code": code_at(secret)}, form_page=location
    )
    assert status == 200, html[:500]
    return secret, recovery_codes_on(html)
