"""TOTP two-factor: required for moderators and admins, optional for members."""

from __future__ import annotations

import asyncio
import re
from html import unescape

from sqlalchemy import select

from node.accounts.models import AccountSecurity
from node.accounts.two_factor import provisioning_qr_svg
from node.audit.models import AuditEntry
from node.members.models import Role
from tests.node.accounts.support import (
    PASSWORD,
    Browser,
    code_at,
    open_browser,
    recovery_codes_on,
    secret_on,
    set_up_at_login,
    wrong_code,
)
from tests.rig import NodeNetwork, TestNode


async def test_a_moderator_must_set_up_two_factor_first(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US")
    moderator = await node.add_member(password=PASSWORD, role=Role.MODERATOR)
    browser = open_browser(browsers, node)
    status, location, _ = await browser.sign_in(moderator.email)
    assert (status, location) == (302, "/login/two-factor/setup")
    # Nothing else is reachable: there is no session until the second factor is done.
    assert not browser.has_session()
    for path in ("/", "/settings", "/verification"):
        status, _, response = await browser.get(path)
        assert status == 302 and response.headers["Location"].startswith("/login"), path
    status, html, _ = await browser.get(location)
    assert status == 200
    secret = secret_on(html)
    assert "otpauth://totp/" in html and moderator.email.replace("@", "%40") in html
    # The QR code encodes the setup address shown as text (scanned from the screen).
    uri = unescape(re.findall(r'<code class="uri" translate="no">([^<]+)</code>', html)[0])
    drawn = re.findall(r'<svg [^>]*class="qr-code".*?<path class="qrline"[^>]* d="([^"]+)"', html)
    assert drawn, html
    expected = str(provisioning_qr_svg(uri, title="x"))
    assert f'd="{drawn[0]}"' in expected
    # The same secret on reload: an app that scanned it keeps working.
    assert secret_on((await browser.get(location))[1]) == secret
    status, html, _ = await browser.post(location, {"code": wrong_code(secret)}, form_page=location)
    assert status == 401 and not browser.has_session()
    status, html, _ = await browser.post(location, {"code": code_at(secret)}, form_page=location)
    assert status == 200
    codes = recovery_codes_on(html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert browser.has_session()
    assert (await browser.get("/settings"))[0] == 200
    async with node.state.db.read() as session:
        row = await session.scalar(select(AccountSecurity))
        assert row is not None and row.totp_enabled_at is not None
        assert row.totp_secret is not None and secret not in row.totp_secret  # encrypted
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "account.2fa.enable" in actions


async def test_codes_are_checked_and_never_replayed(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US")
    admin = await node.add_member(password=PASSWORD, role=Role.ADMIN)
    secret, _codes = await set_up_at_login(open_browser(browsers, node), admin.email)

    browser = open_browser(browsers, node)
    status, location, _ = await browser.sign_in(admin.email)
    assert (status, location) == (302, "/login/two-factor")
    assert not browser.has_session()
    status, html, _ = await browser.post(location, {"code": wrong_code(secret)}, form_page=location)
    assert status == 401 and "not right" in html
    code = code_at(secret, 1)
    status, _, response = await browser.post(location, {"code": code}, form_page=location)
    assert (status, response.headers["Location"]) == (302, "/")
    assert browser.has_session()

    # The same code, seen over a shoulder, does not open a second session.
    thief = open_browser(browsers, node)
    await thief.sign_in(admin.email)
    status, _, _ = await thief.post(location, {"code": code}, form_page=location)
    assert status == 401 and not thief.has_session()


async def test_a_recovery_code_works_once(network: NodeNetwork, browsers: list[Browser]) -> None:
    node = await network.spawn("US")
    moderator = await node.add_member(password=PASSWORD, role=Role.MODERATOR)
    _secret, codes = await set_up_at_login(open_browser(browsers, node), moderator.email)

    async def second_step(code: str) -> int:
        browser = open_browser(browsers, node)
        await browser.sign_in(moderator.email)
        status, _, _ = await browser.post(
            "/login/two-factor", {"code": code}, form_page="/login/two-factor"
        )
        return status

    typed = codes[3].upper().replace("-", " ")  # retyped with capitals and a space
    assert await second_step(typed) == 302
    assert await second_step(codes[3]) == 401
    assert await second_step(codes[4]) == 302
    assert await second_step("zzzzz-zzzzz") == 401


async def test_second_factor_guesses_are_throttled(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US", login_failures_per_account=2)
    moderator = await node.add_member(password=PASSWORD, role=Role.MODERATOR)
    secret, _ = await set_up_at_login(open_browser(browsers, node), moderator.email)
    browser = open_browser(browsers, node)
    await browser.sign_in(moderator.email)
    for _ in range(2):
        status, _, _ = await browser.post(
            "/login/two-factor", {"code": wrong_code(secret)}, form_page="/login/two-factor"
        )
        assert status == 401
    status, _, _ = await browser.post(
        "/login/two-factor", {"code": code_at(secret, 1)}, form_page="/login/two-factor"
    )
    assert status == 429


async def test_guesses_sent_at_once_are_throttled_the_same(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    """Each attempt is counted before anything awaits: a burst sent at once cannot all
    pass the check before the first failure is counted (23 of 400 were checked,
    against a limit of 5, before this was so)."""
    node = await network.spawn("US", login_failures_per_account=3)
    moderator = await node.add_member(password=PASSWORD, role=Role.MODERATOR)
    secret, _ = await set_up_at_login(open_browser(browsers, node), moderator.email)
    browser = open_browser(browsers, node)
    await browser.sign_in(moderator.email)

    async def guess() -> int:
        status, _, _ = await browser.post(
            "/login/two-factor", {"code": wrong_code(secret)}, form_page="/login/two-factor"
        )
        return status

    statuses = await asyncio.gather(*(guess() for _ in range(40)))
    assert statuses.count(401) == 3 and statuses.count(429) == 37, statuses


async def sign_in_member(node: TestNode, browsers: list[Browser], role: Role) -> Browser:
    account = await node.add_member(password=PASSWORD, role=role)
    browser = open_browser(browsers, node)
    if role is Role.MEMBER:
        assert (await browser.sign_in(account.email))[0] == 302
    else:
        await set_up_at_login(browser, account.email)
    return browser


async def test_members_may_turn_two_factor_on_and_off(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US")
    account = await node.add_member(password=PASSWORD)
    browser = open_browser(browsers, node)
    assert (await browser.sign_in(account.email))[0] == 302  # optional: not asked for
    status, html, _ = await browser.get("/settings/two-factor")
    assert status == 200
    secret = secret_on(html)
    status, html, _ = await browser.post(
        "/settings/two-factor/enable", {"code": code_at(secret)}, form_page="/settings/two-factor"
    )
    assert status == 200 and len(recovery_codes_on(html)) == 10
    # From now on the member's sign-in asks for a code.
    second = open_browser(browsers, node)
    assert (await second.sign_in(account.email))[1] == "/login/two-factor"
    # Turning it off needs the current password.
    status, html, _ = await browser.post(
        "/settings/two-factor/disable",
        {"current_password": "wrong password!"},
        form_page="/settings/two-factor",
    )
    assert status == 403 and "not right" in html
    status, _, _ = await browser.post(
        "/settings/two-factor/disable",
        {"current_password": PASSWORD},
        form_page="/settings/two-factor",
    )
    assert status == 302
    third = open_browser(browsers, node)
    assert (await third.sign_in(account.email))[1] == "/"


async def test_moderators_cannot_turn_two_factor_off(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US")
    browser = await sign_in_member(node, browsers, Role.MODERATOR)
    status, html, _ = await browser.get("/settings/two-factor")
    assert status == 200 and "/settings/two-factor/disable" not in html
    status, html, _ = await browser.post(
        "/settings/two-factor/disable",
        {"current_password": PASSWORD},
        form_page="/settings/two-factor",
    )
    assert status == 403 and "must keep two-factor" in html
    # New recovery codes replace the old ones (password required).
    status, html, _ = await browser.post(
        "/settings/two-factor/recovery-codes",
        {"current_password": PASSWORD},
        form_page="/settings/two-factor",
    )
    assert status == 200 and len(recovery_codes_on(html)) == 10


async def test_the_forced_set_up_has_a_way_out(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    """An admin who cannot set up two-factor now can sign out from the set-up page."""
    node = await network.spawn("US")
    admin = await node.add_member(password=PASSWORD, role=Role.ADMIN)
    browser = open_browser(browsers, node)
    status, location, _ = await browser.sign_in(admin.email)
    assert (status, location) == (302, "/login/two-factor/setup")
    _, html, _ = await browser.get(location)
    form = re.search(r'<form method="post" action="/logout">(.*?)</form>', html, re.S)
    assert form is not None, "a sign-out form on the set-up page"
    assert 'name="csrf_token"' in form.group(1)
    status, _, response = await browser.post("/logout", {}, form_page=location)
    assert (status, response.headers["Location"]) == (302, "/login?notice=signed-out")
    # The half-done sign-in is gone too: the set-up page sends back to the password.
    status, _, response = await browser.get(location)
    assert (status, response.headers["Location"]) == (302, "/login")
    assert not browser.has_session()


async def test_the_authenticator_issuer_names_the_product_once(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US", name="Curbside United States")
    admin = await node.add_member(password=PASSWORD, role=Role.ADMIN)
    browser = open_browser(browsers, node)
    _, location, _ = await browser.sign_in(admin.email)
    _, html, _ = await browser.get(location)
    assert "issuer=Curbside%20United%20States" in html, html[:3000]
    assert "Curbside%20Curbside" not in html
