"""The member's verification pages, on node.verification's services: status, claim,
document; and the access rule that keeps members who are not verified out of cases."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
from sqlalchemy import select

from node.verification.models import LicenceClaim
from tests.node.accounts.support import PASSWORD, Browser, open_browser
from tests.node.verification.support import BEN, member_status, run_import, standard_register
from tests.rig import NodeNetwork, TestNode

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
UNKNOWN = "1234567893"
NOT_VERIFIED = "https://w3id.org/curbside/problems/not-verified"


async def signed_in_claimant(
    node: TestNode, browsers: list[Browser], name: str
) -> tuple[Browser, str, str]:
    """(browser, public id, token) of a signed-in member who is not verified yet."""
    account = await node.add_member(verified=False, password=PASSWORD, name=name)
    browser = open_browser(browsers, node)
    assert (await browser.sign_in(account.email))[0] == 302
    return browser, account.public_id, account.token


async def upload(browser: Browser, data: bytes, *, csrf: bool = True) -> tuple[int, str]:
    _, page, _ = await browser.get("/verification")
    match = re.search(r'action="([^"]+)" enctype="multipart/form-data"', page)
    assert match, page[:3000]
    action = html_lib.unescape(match.group(1))
    if not csrf:
        action = action.split("?")[0]
    form = aiohttp.FormData()
    form.add_field("document", data, filename="licence.pdf", content_type="application/pdf")
    async with browser.http.post(
        browser.url(action), data=form, allow_redirects=False, headers={"Accept": "text/html"}
    ) as response:
        return response.status, await response.text()


async def test_members_who_are_not_verified_see_only_their_status(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US")
    browser, _public_id, token = await signed_in_claimant(node, browsers, "Ada Lovelace")
    for path in ("/", "/cases/new", "/cases/1", "/?specialty=nephrology&status=open"):
        status, _, response = await browser.get(path)
        assert (status, response.headers.get("Location")) == (302, "/verification"), path
    status, html, _ = await browser.get("/verification")
    assert status == 200
    assert "Not verified yet" in html and 'action="/verification/claim"' in html
    assert (await browser.get("/settings"))[0] == 200  # account settings stay open
    status, body = await node.request("GET", "/api/v1/cases", token=token)
    assert (status, body["type"]) == (403, NOT_VERIFIED)
    # A visitor who is not signed in is sent to sign in, and comes back afterwards.
    visitor = open_browser(browsers, node)
    status, _, response = await visitor.get("/?specialty=nephrology&status=open")
    assert status == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/?specialty=nephrology&status=open"]}


async def test_a_claim_matching_the_register_verifies_at_once(
    network: NodeNetwork, browsers: list[Browser], tmp_path: Path
) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "npidata.csv"))
    browser, public_id, _ = await signed_in_claimant(node, browsers, "Benedikt Müller")
    status, html, _ = await browser.post(
        "/verification/claim",
        {"licence": "", "family_name": "", "given_names": ""},
        form_page="/verification",
    )
    assert status == 422
    status, _, response = await browser.post(
        "/verification/claim",
        {"licence": f"{BEN[:5]} {BEN[5:]}", "family_name": "Mueller", "given_names": "Benedikt"},
        form_page="/verification",
    )
    assert (status, response.headers["Location"]) == (302, "/verification?notice=verified")
    assert await member_status(node, public_id) == "verified"
    status, html, _ = await browser.get("/verification?notice=verified")
    assert "You are verified" in html and "Your status: Verified" in html
    assert (await browser.get("/"))[0] == 200  # the cases are open now
    # Someone else claiming the same licence is told it is taken.
    rival, _, _ = await signed_in_claimant(node, browsers, "Benedikt Mueller")
    status, html, _ = await rival.post(
        "/verification/claim",
        {"licence": BEN, "family_name": "Müller", "given_names": "Benedikt"},
        form_page="/verification",
    )
    assert status == 409 and "holds this licence" in html


def claim_form_values(html: str) -> dict[str, str]:
    form = html[html.index('action="/verification/claim"') :]
    return {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'name="(\w+)" type="text"[^>]*value="([^"]*)"', form)
    }


async def test_a_claim_for_review_takes_a_document(
    network: NodeNetwork, browsers: list[Browser], tmp_path: Path
) -> None:
    node = await network.spawn("US", verification_document_max_bytes=4096)
    await run_import(node, standard_register(tmp_path / "npidata.csv"))
    browser, public_id, _ = await signed_in_claimant(node, browsers, "Grace Hopper")
    status, _, response = await browser.post(
        "/verification/claim",
        {"licence": UNKNOWN, "family_name": "Hopper", "given_names": "Grace"},
        form_page="/verification",
    )
    assert (status, response.headers["Location"]) == (302, "/verification?notice=review")
    status, html, _ = await browser.get("/verification")
    assert "not in the register" in html and 'type="file"' in html
    # The correction form starts from the claim, so fixing one field is all it takes.
    assert "Correct your claim" in html
    assert claim_form_values(html) == {
        "licence": UNKNOWN,
        "family_name": "Hopper",
        "given_names": "Grace",
    }
    # What the page promises is what the purge does: kept 30 days after the decision.
    assert "it is deleted 30 days after the decision" in html

    status, html = await upload(browser, b"<html>not a licence</html>")
    assert status == 415 and "PDF, JPEG or PNG" in html
    big = PDF[:-7] + b"%" + b"x" * 8000 + b"\n%%EOF\n"
    status, html = await upload(browser, big)
    assert status == 413 and "too large" in html
    status, _ = await upload(browser, PDF, csrf=False)
    assert status == 403  # the upload form's token travels in its URL
    status, _ = await upload(browser, PDF)
    assert status == 302
    status, html, _ = await browser.get("/verification?notice=uploaded")
    assert "Your document was received" in html and "Received" in html
    async with node.state.db.read() as session:
        claim = await session.scalar(select(LicenceClaim))
    assert claim is not None and claim.document_type == "application/pdf"
    assert claim.document_size == len(PDF)
    assert await member_status(node, public_id) == "pending"
    assert (await browser.get("/"))[0] == 302  # still waiting for a reviewer
