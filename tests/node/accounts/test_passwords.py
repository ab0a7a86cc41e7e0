"""Password reset by email, and password change in settings; both end other sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from node.accounts.models import AccountToken
from node.audit.models import AuditEntry
from node.db.types import utcnow
from tests.node.accounts.support import (
    PASSWORD,
    Browser,
    Mailbox,
    link_in,
    open_browser,
    text_of,
)
from tests.rig import TestNode

NEW = "a completely new passphrase"


async def test_reset_by_email_signs_out_everywhere(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    account = await mail_node.add_member(password=PASSWORD)
    laptop = open_browser(browsers, mail_node)
    assert (await laptop.sign_in(account.email))[0] == 302
    visitor = open_browser(browsers, mail_node)
    status, known, _ = await visitor.post("/password/reset", {"email": account.email})
    assert status == 200
    status, unknown, _ = await visitor.post("/password/reset", {"email": "nobody@example.org"})
    assert status == 200
    # The same page whether or not the address has an account.
    assert known.replace(account.email, "X") == unknown.replace("nobody@example.org", "X")
    mail = await mailbox.next_to(account.email)
    link = link_in(mail, "/password/reset/")
    assert "60 minutes" in text_of(mail)

    # Opening the link only shows the form (a mail scanner must not use it up).
    status, html, _ = await visitor.get(link)
    assert status == 200 and 'name="new_password"' in html
    path = link.removeprefix(mail_node.base_url)
    status, html, _ = await visitor.post(
        path, {"new_password": NEW, "confirm_password": NEW + "!"}, form_page=path
    )
    assert status == 422 and "not the same" in html
    status, _, response = await visitor.post(
        path, {"new_password": NEW, "confirm_password": NEW}, form_page=path
    )
    assert (status, response.headers["Location"]) == (302, "/login?notice=reset")

    # The laptop's session is gone; the old password no longer works, the new one does.
    status, _, response = await laptop.get("/settings")
    assert status == 302 and response.headers["Location"].startswith("/login")
    assert (await visitor.sign_in(account.email, PASSWORD))[0] == 401
    assert (await visitor.sign_in(account.email, NEW))[0] == 302
    assert mailbox.to("nobody@example.org") == []
    async with mail_node.state.db.read() as session:
        [entry] = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "account.password.reset")
        )
    assert entry.details == {"sessions_ended": 1, "tokens_revoked": 1}
    # The API token issued before the reset is revoked too: it could be the intruder's.
    assert (await mail_node.request("GET", "/api/v1/me", token=account.token))[0] == 401


async def test_reset_links_work_once_and_expire(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    account = await mail_node.add_member(password=PASSWORD)
    browser = open_browser(browsers, mail_node)
    await browser.post("/password/reset", {"email": account.email})
    first = link_in(await mailbox.next_to(account.email), "/password/reset/")
    path = first.removeprefix(mail_node.base_url)
    form = {"new_password": NEW, "confirm_password": NEW}
    assert (await browser.post(path, form, form_page=path))[0] == 302
    status, html, _ = await browser.post(path, form, form_page="/password/reset")
    assert status == 410 and "already used" in html
    status, html, _ = await browser.get(path)
    assert status == 410

    await browser.post("/password/reset", {"email": account.email})
    second = link_in(await mailbox.next_to(account.email, 2), "/password/reset/")
    async with mail_node.state.db.write() as session:
        await session.execute(
            update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    path = second.removeprefix(mail_node.base_url)
    status, html, _ = await browser.get(path)
    assert status == 410 and "expired" in html
    status, _, _ = await browser.post(
        path,
        {"new_password": "yet another passphrase", "confirm_password": "yet another passphrase"},
        form_page="/password/reset",
    )
    assert status == 410
    assert (await browser.sign_in(account.email, NEW))[0] == 302  # unchanged by the refused link


async def test_changing_the_password_needs_the_current_one(
    mail_node: TestNode, browsers: list[Browser]
) -> None:
    account = await mail_node.add_member(password=PASSWORD)
    phone = open_browser(browsers, mail_node, user_agent="Mozilla/5.0 (iPhone) Safari/604.1")
    assert (await phone.sign_in(account.email))[0] == 302
    desk = open_browser(browsers, mail_node)
    assert (await desk.sign_in(account.email))[0] == 302
    change = {"new_password": NEW, "confirm_password": NEW}
    status, html, _ = await desk.post(
        "/settings/password",
        {**change, "current_password": "guess guess guess"},
        form_page="/settings",
    )
    assert status == 403 and "not right" in html
    status, html, _ = await desk.post(
        "/settings/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
        form_page="/settings",
    )
    assert status == 422
    status, _, response = await desk.post(
        "/settings/password", {**change, "current_password": PASSWORD}, form_page="/settings"
    )
    assert (status, response.headers["Location"]) == (302, "/settings?notice=password")
    assert (await desk.get("/settings"))[0] == 200  # this session stays
    assert (await phone.get("/settings"))[0] == 302  # the other one is signed out
    assert (await phone.sign_in(account.email, NEW))[0] == 302
