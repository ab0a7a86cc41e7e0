"""Sign-up with email confirmation, through a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from node.accounts.models import AccountToken
from node.db.types import utcnow
from node.members.models import Member
from tests.node.accounts.support import (
    PASSWORD,
    Browser,
    Mailbox,
    link_in,
    open_browser,
    text_of,
)
from tests.rig import NodeNetwork, TestNode

FORM = {
    "email": "Ines.Moreau@example.org",
    "name": "Inès Moreau",
    "specialty": "nephrology",
    "password": PASSWORD,
    "language": "fr",
}


async def sign_up(browser: Browser, **changes: str) -> tuple[int, str]:
    status, html, _ = await browser.post("/signup", {**FORM, **changes}, form_page="/signup")
    return status, html


async def test_sign_up_confirm_and_sign_in(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    browser = open_browser(browsers, mail_node)
    status, html = await sign_up(browser)
    assert status == 200
    assert "ines.moreau@example.org" in html  # "check your email"
    mail = await mailbox.next_to("ines.moreau@example.org")
    link = link_in(mail, "/confirm/")
    assert link.startswith(mail_node.base_url + "/confirm/")
    assert "Inès Moreau" in text_of(mail)
    async with mail_node.state.db.read() as session:
        member = await session.scalar(
            select(Member).where(Member.email == "ines.moreau@example.org")
        )
        stored = list(await session.scalars(select(AccountToken.token_hash)))
    assert member is not None
    assert (member.status, member.locale, member.specialty) == ("pending", "fr", "nephrology")
    assert link.rsplit("/", 1)[1] not in stored  # only a hash of the token is kept

    # Before confirming: the right password is not enough, and the page says why.
    status, _, html = await browser.sign_in("ines.moreau@example.org")
    assert status == 403
    assert 'action="/confirm"' in html and not browser.has_session()

    status, _, response = await browser.get(link)
    assert (status, response.headers["Location"]) == (302, "/login?notice=confirmed")
    status, location, _ = await browser.sign_in("INES.MOREAU@example.org")
    assert (status, location) == (302, "/")
    # Not verified yet: every page with cases sends the member to the verification page.
    status, _, response = await browser.get("/")
    assert (status, response.headers["Location"]) == (302, "/verification")
    status, html, _ = await browser.get("/verification")
    assert status == 200 and 'lang="fr"' in html  # the language chosen at sign-up


async def test_confirmation_links_work_once_and_expire(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    browser = open_browser(browsers, mail_node)
    await sign_up(browser)
    link = link_in(await mailbox.next_to("ines.moreau@example.org"), "/confirm/")
    assert (await browser.get(link))[0] == 302
    status, html, _ = await browser.get(link)
    assert status == 410 and "already used" in html

    await sign_up(browser, email="late@example.org")
    late = link_in(await mailbox.next_to("late@example.org"), "/confirm/")
    async with mail_node.state.db.write() as session:
        await session.execute(
            update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1))
        )
    status, html, _ = await browser.get(late)
    assert status == 410 and "expired" in html
    status, _, _ = await browser.sign_in("late@example.org")
    assert status == 403  # still unconfirmed
    status, html, _ = await browser.get(mail_node.base_url + "/confirm/" + "x" * 43)
    assert status == 410

    # "Send the link again" from the sign-in page gives a fresh, working link.
    status, _, _ = await browser.post("/confirm", {"email": "late@example.org"})
    assert status == 200
    fresh = link_in(await mailbox.next_to("late@example.org", 2), "/confirm/")
    assert fresh != late
    assert (await browser.get(fresh))[0] == 302
    assert (await browser.sign_in("late@example.org"))[0] == 302


async def test_resending_is_rate_limited(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    browser = open_browser(browsers, mail_node)
    await sign_up(browser)
    await mailbox.next_to("ines.moreau@example.org")
    for _ in range(4):
        status, _, _ = await browser.post("/confirm", {"email": "ines.moreau@example.org"})
        assert status == 200  # the same answer every time
    # One at sign-up plus two more within the hour; the rest are refused quietly.
    await mailbox.next_to("ines.moreau@example.org", 3)
    status, _, _ = await browser.post("/confirm", {"email": "nobody@example.org"})
    assert status == 200
    # Probe after the refused ones so a late fourth mail would be seen.
    await browser.post("/password/reset", {"email": "ines.moreau@example.org"})
    await mailbox.next_to("ines.moreau@example.org", 4)
    received = mailbox.to("ines.moreau@example.org")
    assert len(received) == 4
    assert "/password/reset/" in text_of(received[-1])
    assert mailbox.to("nobody@example.org") == []


async def test_an_existing_address_is_not_revealed(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    existing = await mail_node.add_member(
        email="taken@example.org", name="Old Hand", password=PASSWORD
    )
    browser = open_browser(browsers, mail_node)
    status_new, html_new = await sign_up(browser, email="fresh@example.org")
    status_old, html_old = await sign_up(browser, email="taken@example.org", name="Impostor")
    assert status_new == status_old == 200
    assert html_new.replace("fresh@example.org", "X") == html_old.replace("taken@example.org", "X")
    mail = await mailbox.next_to("taken@example.org")
    assert "/confirm/" not in text_of(mail)
    assert "/password/reset" in text_of(mail)
    assert "Old Hand" in text_of(mail) and "Impostor" not in text_of(mail)
    async with mail_node.state.db.read() as session:
        owner = await session.scalar(select(Member).where(Member.email == existing.email))
    assert owner is not None and owner.name == "Old Hand"
    # The operator-added account signs in as before (no confirmation needed).
    assert (await browser.sign_in("taken@example.org"))[0] == 302


async def test_sign_up_form_errors_keep_the_input(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    browser = open_browser(browsers, mail_node)
    status, html = await sign_up(
        browser, email="not-an-address", password="short", specialty="astrology"
    )
    assert status == 422
    assert 'id="email-error"' in html and 'id="password-error"' in html
    assert 'id="specialty-error"' in html and 'id="name-error"' not in html
    assert 'value="Inès Moreau"' in html  # kept
    assert "short" not in html.split('id="password"')[1][:200]  # never echoed
    # A forged or missing CSRF token is refused before anything happens.
    status, _, _ = await browser.post("/signup", {**FORM, "csrf_token": "forged"}, csrf=False)
    assert status == 403
    status, _, _ = await browser.post("/signup", FORM, csrf=False)
    assert status == 403
    async with mail_node.state.db.read() as session:
        assert await session.scalar(select(Member).where(Member.name == "Inès Moreau")) is None
    assert mailbox.messages == []


async def test_sign_ups_from_one_address_are_limited(
    network: NodeNetwork, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    """Each sign-up costs a password hash and a mail to any address: past the limit
    per client address the form answers 429 and nothing is created or sent."""
    node = await network.spawn("US", login_failures_per_address=3, **mailbox.settings())
    browser = open_browser(browsers, node)
    for n in range(3):
        status, _ = await sign_up(browser, email=f"doc{n}@example.org")
        assert status == 200
    for n in range(3):
        await mailbox.next_to(f"doc{n}@example.org")
    status, html = await sign_up(browser, email="one.more@example.org")
    assert status == 429
    assert "Too many sign-ups from your network" in html
    assert 'value="one.more@example.org"' in html and PASSWORD not in html
    async with node.state.db.read() as session:
        created = await session.scalar(select(Member).where(Member.email == "one.more@example.org"))
    assert created is None
    # The limit is the sign-ups' own: signing in from the same address still works.
    await node.add_member(email="old.hand@example.org", password=PASSWORD)
    assert (await browser.sign_in("old.hand@example.org"))[0] == 302
    assert mailbox.to("one.more@example.org") == []


async def test_someone_who_signed_up_first_with_your_address_cannot_sign_in(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    """A squatter signs up with a physician's address and a password of their own, and
    uses up the hour's confirmation mails; the physician signs up too and follows one
    of the mails. The squatter's password must not open the account: a second sign-up
    leaves it with no password, and the mailbox's owner chooses one right after
    confirming (before, the link confirmed the squatter's account)."""
    squatter, owner = open_browser(browsers, mail_node), open_browser(browsers, mail_node)
    assert (await sign_up(squatter, password="squatters-own-password"))[0] == 200
    for _ in range(3):  # the resend form, until the hourly limit refuses quietly
        await squatter.post("/confirm", {"email": FORM["email"]})
    await mailbox.next_to("ines.moreau@example.org", 3)
    assert (await sign_up(owner, name="Someone Else"))[0] == 200
    assert len(mailbox.to("ines.moreau@example.org")) == 3  # no new mail: over the limit
    link = link_in(mailbox.to("ines.moreau@example.org")[0], "/confirm/")
    status, _, response = await owner.get(link)
    assert status == 302
    choose = response.headers["Location"]
    assert choose.startswith("/password/reset/")
    # Whoever chooses the password sees whose account it is: the first sign-up's
    # details, which a later sign-up by a stranger cannot rewrite.
    status, html, _ = await owner.get(choose)
    assert status == 200 and "Inès Moreau" in html and "Someone Else" not in html
    # Confirmed, but no password opens it yet, the squatter's included.
    assert (await squatter.sign_in("ines.moreau@example.org", "squatters-own-password"))[0] == 401
    new_password = "the owner's own password"
    status, _, _ = await owner.post(
        choose, {"new_password": new_password, "confirm_password": new_password}, form_page=choose
    )
    assert status == 302
    assert (await owner.sign_in("ines.moreau@example.org", new_password))[0] == 302
    assert (await squatter.sign_in("ines.moreau@example.org", "squatters-own-password"))[0] == 401


async def test_a_link_a_mail_scanner_opened_still_leads_to_the_password(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    """Signed up twice, the link is opened first by a mail gateway that scans links:
    the owner's own click still leads to choosing the password (not to a dead end on
    a confirmed account with none), and once it is chosen the link is spent."""
    browser = open_browser(browsers, mail_node)
    await sign_up(browser)
    await sign_up(browser)
    link = link_in(await mailbox.next_to("ines.moreau@example.org", 2), "/confirm/")
    scanner = open_browser(browsers, mail_node)
    assert (await scanner.get(link))[0] == 302
    status, _, response = await browser.get(link)
    assert status == 302 and response.headers["Location"].startswith("/password/reset/")
    choose = response.headers["Location"]
    new_password = "the owner's own password"
    await browser.post(
        choose, {"new_password": new_password, "confirm_password": new_password}, form_page=choose
    )
    assert (await browser.sign_in("ines.moreau@example.org", new_password))[0] == 302
    assert (await browser.get(link))[0] == 410


async def test_one_sign_up_confirms_as_before(
    mail_node: TestNode, mailbox: Mailbox, browsers: list[Browser]
) -> None:
    browser = open_browser(browsers, mail_node)
    await sign_up(browser)
    link = link_in(await mailbox.next_to("ines.moreau@example.org"), "/confirm/")
    status, _, response = await browser.get(link)
    assert (status, response.headers["Location"]) == (302, "/login?notice=confirmed")
