"""Signing in: wrong passwords are throttled, forged forms refused, redirects kept local."""

from __future__ import annotations

import pytest

from node.accounts.throttle import Limit, LoginThrottle
from node.web.pages import safe_next
from tests.node.accounts.support import PASSWORD, Browser, open_browser
from tests.rig import NodeNetwork


async def test_wrong_passwords_are_throttled_per_account(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US", login_failures_per_account=3)
    account = await node.add_member(password=PASSWORD)
    other = await node.add_member(password=PASSWORD)
    browser = open_browser(browsers, node)
    for _ in range(3):
        status, _, html = await browser.sign_in(account.email, "not the password")
        assert status == 401
        assert "not right" in html
    # The limit is reached: even the right password now waits, with a clear message.
    status, html, response = await browser.post(
        "/login", {"email": account.email, "password": PASSWORD}
    )
    assert status == 429
    assert "Wait 15 minutes" in html
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60 + 1
    assert not browser.has_session()
    # Another account from the same address is not locked out by it.
    assert (await browser.sign_in(other.email))[0] == 302


async def test_wrong_passwords_are_throttled_per_address(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US", login_failures_per_address=4)
    account = await node.add_member(password=PASSWORD)
    browser = open_browser(browsers, node)
    for n in range(4):  # guessing across many accounts, including ones that do not exist
        assert (await browser.sign_in(f"guess{n}@example.org", "hunter2hunter2"))[0] == 401
    assert (await browser.sign_in(account.email))[0] == 429


async def test_forged_csrf_and_foreign_redirects_are_refused(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US")
    account = await node.add_member(password=PASSWORD)
    browser = open_browser(browsers, node)
    form = {"email": account.email, "password": PASSWORD}
    other = open_browser(browsers, node)
    token_of_someone_else = await other.csrf()
    for token in ("", "forged", token_of_someone_else):
        status, _, _ = await browser.post("/login", {**form, "csrf_token": token}, csrf=False)
        assert status == 403
    assert not browser.has_session()
    status, _, response = await browser.post(
        "/login", {**form, "next": "https://evil.example/phish"}
    )
    assert (status, response.headers["Location"]) == (302, "/")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/cases/12?tab=replies", "/cases/12?tab=replies"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        (None, "/"),
    ],
)
def test_safe_next(value: object, expected: str) -> None:
    assert safe_next(value) == expected


def test_throttle_window_slides() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    limit = [Limit("account:x", 2)]
    throttle.failed(["account:x"], 60)
    now[0] += 30
    throttle.failed(["account:x"], 60)
    assert throttle.retry_after(limit, 60) == pytest.approx(30)
    now[0] += 31  # the first failure has aged out
    assert throttle.retry_after(limit, 60) is None
    throttle.clear("account:x")
    assert throttle.retry_after(limit, 60) is None
