"""The journey of issue 6 in a real browser: a physician signs up on the US node, gets
verified against the register, posts a case; a German colleague opens it on the DE node
in German and replies anonymously; the author resolves it; a French colleague sees the
resolution on the FR node. Screenshots of every step are kept in test-artifacts/."""

from __future__ import annotations

import email
import re
from email.policy import default
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from tests.browser.conftest import axe_violations, screenshot
from tests.node.verification.support import ADA, run_import, standard_register
from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually

PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}


async def context_for(browser: Browser, language: str, *, phone: bool = False) -> BrowserContext:
    return await browser.new_context(
        bypass_csp=True,  # lets axe-core be injected; our CSP rightly refuses inline scripts
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport=PHONE if phone else {"width": 1280, "height": 900},
    )


def confirmation_link(node: TestNode) -> str:
    [mail] = sorted((node.data_dir / "mail" / "outbox").glob("*.eml"))
    message = email.message_from_bytes(mail.read_bytes(), policy=default)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = re.search(r"(http://\S+/confirm/\S+)", body.get_content())
    assert match, "the confirmation mail has a link"
    return match.group(1)


async def sign_in(page: Page, node: TestNode, email_address: str) -> None:
    await page.goto(node.base_url + "/login")
    await page.fill("#email", email_address)
    await page.fill("#password", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")


def t(node: TestNode, language: str, message: str) -> str:
    """The translation the page should show, straight from the node's catalog."""
    return node.state.catalogs.get(language).gettext(message)


async def open_case_from_feed(page: Page, node: TestNode, title: str) -> None:
    async def listed() -> bool:
        await page.goto(node.base_url + "/")
        return await page.get_by_role("link", name=title).count() > 0

    await eventually(
        listed, within=60, interval=0.5, what=f"the case in the feed of {node.base_url}"
    )
    await page.get_by_role("link", name=title).first.click()


@pytest.mark.sqlite_only  # the browser sees pages, not the database
async def test_sign_up_verify_post_reply_in_german_resolve_see_in_french(
    network: NodeNetwork, browser: Browser, axe_script: Path, tmp_path: Path
) -> None:
    us = await network.spawn("US", locale="en")
    de = await network.spawn("DE", locale="de")
    fr = await network.spawn("FR", locale="fr")
    await network.mesh(us, de, fr)
    await run_import(us, standard_register(tmp_path / "register.csv"))
    jonas = await de.add_member(name="Jonas Weber", password=PASSWORD, specialty="general-practice")
    camille = await fr.add_member(name="Camille Dubois", password=PASSWORD, specialty="pediatrics")
    title = "Toddler with fevers every four weeks"

    # 1. Sign up on the US node, confirm by email, claim the licence: verified at once.
    us_context = await context_for(browser, "en-US")
    page = await us_context.new_page()
    await page.goto(us.base_url + "/signup")
    await page.fill("#email", "ada.lovelace@example.org")
    await page.fill("#name", "Ada Lovelace")
    await page.select_option("#specialty", "pediatrics")
    await page.fill("#password", PASSWORD)
    await page.click("form:has(#name) button[type=submit]")
    await screenshot(page, "01-signed-up-en")
    await page.goto(confirmation_link(us))
    await sign_in(page, us, "ada.lovelace@example.org")
    await page.goto(us.base_url + "/verification")
    await page.fill("#licence", ADA)
    await page.fill("#family_name", "Lovelace")
    await page.fill("#given_names", "Ada")
    await page.click("form:has(#licence) button[type=submit]")
    await screenshot(page, "02-verified-en")
    assert await axe_violations(page, axe_script) == []

    # 2. Post the case.
    await page.goto(us.base_url + "/cases/new")
    await page.fill("#title", title)
    await page.fill(
        "#body", "Three-year-old with fevers every four weeks, aphthous ulcers and pharyngitis."
    )
    await page.fill("#question", "PFAPA, or a monogenic periodic fever first?")
    await page.check("input[name=specialties][value=pediatrics]")
    await page.click("form:has(#title) button[type=submit]")
    await page.wait_for_url(re.compile(r"/cases/[a-z2-7]{16}$"))
    assert await page.locator("h1").inner_text() == title
    await screenshot(page, "03-case-posted-en")
    assert await axe_violations(page, axe_script) == []
    case_url = page.url

    # 3. A German colleague opens it on the DE node, in German, and replies anonymously.
    de_context = await context_for(browser, "de-DE")
    de_page = await de_context.new_page()
    await sign_in(de_page, de, jonas.email)
    await open_case_from_feed(de_page, de, title)
    assert await de_page.get_attribute("html", "lang") == "de"
    your_reply = t(de, "de", "Your reply")
    assert your_reply != "Your reply" and await de_page.get_by_text(your_reply).count() > 0
    await de_page.fill(
        "#reply-content",
        "Periodische Fieber mit Aphthen: an PFAPA denken, MEFV-Diagnostik erwägen.",
    )
    await de_page.check("#reply-anonymous")
    await de_page.click("form:has(#reply-content) button[type=submit]")
    await screenshot(de_page, "04-anonymous-reply-de")
    assert await axe_violations(de_page, axe_script) == []
    assert "Jonas" not in await de_page.locator("ol.thread").inner_text()

    # 4. The author resolves it on the US node once the reply is there.
    async def reply_arrived() -> bool:
        await page.goto(case_url)
        return await page.locator("#accepted-reply option").count() > 1

    await eventually(reply_arrived, within=60, interval=0.5, what="the German reply on the US node")
    await page.click("#resolve summary")  # the form is folded until the author opens it
    options = await page.locator("#accepted-reply option").all()
    await page.select_option("#accepted-reply", await options[-1].get_attribute("value") or "")
    await page.fill("#summary", "PFAPA; steroid single doses; tonsillectomy planned.")
    await page.check("#found-yes")
    await page.click("form:has(#summary) button[type=submit]")
    await screenshot(page, "05-resolved-en")

    # 5. A French colleague sees the resolution on the FR node, in French.
    fr_context = await context_for(browser, "fr-FR")
    fr_page = await fr_context.new_page()
    await sign_in(fr_page, fr, camille.email)
    await open_case_from_feed(fr_page, fr, title)
    resolution = t(fr, "fr", "Resolution")
    assert resolution != "Resolution"

    async def resolved_in_french() -> bool:
        await fr_page.reload()
        return await fr_page.get_by_text("PFAPA; steroid single doses").count() > 0

    await eventually(
        resolved_in_french, within=60, interval=0.5, what="the resolution on the FR node"
    )
    assert await fr_page.get_by_role("heading", name=resolution).count() > 0
    assert await fr_page.get_attribute("html", "lang") == "fr"
    await screenshot(fr_page, "06-resolved-fr")
    assert await axe_violations(fr_page, axe_script) == []

    # 6. The same thread on a phone in Hebrew (right to left) and in Hungarian.
    for language, name in (("he", "07-phone-he"), ("hu", "08-phone-hu")):
        phone = await context_for(browser, language, phone=True)
        phone_page = await phone.new_page()
        await sign_in(phone_page, fr, camille.email)
        await open_case_from_feed(phone_page, fr, title)
        if language == "he":
            assert await phone_page.get_attribute("html", "dir") == "rtl"
        assert await axe_violations(phone_page, axe_script) == []
        await screenshot(phone_page, name)
        await phone.close()
    for context in (us_context, de_context, fr_context):
        await context.close()
