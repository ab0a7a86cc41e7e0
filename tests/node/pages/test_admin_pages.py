"""Admin pages: who may open them, CSRF, the overview, reveals, de-identification flags
and the audit log. Peers, the review queue and reports are in test_admin_pages_*.py.

Moderators and admins sign in with their second factor, as in production.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape

from sqlalchemy import select

from node.audit.models import AuditEntry
from node.audit.reasons import REGISTER_MATCH
from node.audit.service import record
from node.members.models import Role
from tests.node.accounts.support import PASSWORD, Browser, set_up_at_login
from tests.node.test_deid_guard import IDENTIFYING
from tests.node.test_federation_basics import CASE
from tests.rig import Account, NodeNetwork, TestNode

STAFF_PAGES = ("/admin", "/admin/peers", "/admin/verification", "/admin/reports")
STAFF_PAGES += ("/admin/deid", "/admin/audit")
ADMIN_PAGES = ("/admin/members", "/admin/reveal")


@asynccontextmanager
async def signed_in(node: TestNode, account: Account, role: Role) -> AsyncIterator[Browser]:
    """A browser signed in as ``account`` (staff set up their second factor first)."""
    browser = Browser(node)
    try:
        if role is Role.MEMBER:
            status, _, _ = await browser.sign_in(account.email)
            assert status == 302
        else:
            await set_up_at_login(browser, account.email)
        yield browser
    finally:
        await browser.close()


async def staff(node: TestNode, role: Role, name: str | None = None) -> Account:
    return await node.add_member(password=PASSWORD, role=role, name=name)


def text_of(html: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces collapsed."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def audit(node: TestNode, action: str) -> list[AuditEntry]:
    async with node.state.db.read() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return list(rows)


async def test_pages_are_for_moderators_and_admins_only(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    member = await staff(node, Role.MEMBER)
    moderator = await staff(node, Role.MODERATOR)
    admin = await staff(node, Role.ADMIN)

    visitor = Browser(node)
    try:
        for path in (*STAFF_PAGES, *ADMIN_PAGES):
            status, _, response = await visitor.get(path)
            assert status == 302 and response.headers["Location"].startswith("/login"), path
    finally:
        await visitor.close()

    async with signed_in(node, member, Role.MEMBER) as browser:
        _, home, _ = await browser.get("/")
        assert 'href="/admin"' not in home  # no Administration item for members
        for path in (*STAFF_PAGES, *ADMIN_PAGES):
            status, html, _ = await browser.get(path)
            assert status == 403, path
            assert "Only moderators and admins" in html
        status, _, _ = await browser.post(
            "/admin/reveal", {"pseudonym": "anon-aaaaaaaaaa", "reason": "just curious, really"}
        )
        assert status == 403

    async with signed_in(node, moderator, Role.MODERATOR) as browser:
        _, home, _ = await browser.get("/")
        assert 'href="/admin"' in home and "Administration" in home
        for path in STAFF_PAGES:
            status, html, _ = await browser.get(path)
            assert status == 200, path
            assert 'href="/admin/reveal"' not in html  # admin-only sections are not offered
        for path in ADMIN_PAGES:
            assert (await browser.get(path))[0] == 403, path
        status, html, _ = await browser.post(
            "/admin/peers/check", {"url": "http://127.0.0.1:1"}, form_page="/admin"
        )
        assert status == 403 and "Only admins" in html
        _, peers, _ = await browser.get("/admin/peers")
        assert 'action="/admin/peers/check"' not in peers

    async with signed_in(node, admin, Role.ADMIN) as browser:
        for path in (*STAFF_PAGES, *ADMIN_PAGES):
            status, html, _ = await browser.get(path)
            assert status == 200, path
            assert 'aria-label="Administration"' in html
        _, overview, _ = await browser.get("/admin")
        text = text_of(overview)
        assert "0 open reports" in text and "0 claims waiting for review" in text
        assert "0 peers with delivery problems" in text and "0 flags not yet reviewed" in text


async def test_a_form_without_its_csrf_token_is_refused(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    admin = await staff(node, Role.ADMIN)
    _, case = await node.request(
        "POST", "/api/v1/cases", token=author.token, json={**CASE, "anonymous": True}
    )
    async with signed_in(node, admin, Role.ADMIN) as browser:
        form = {"pseudonym": case["author"]["pseudonym"], "reason": "court order 12/2026"}
        for path in ("/admin/reveal", "/admin/peers/block", "/admin/deid/1/reviewed"):
            status, html, _ = await browser.post(path, form, csrf=False)
            assert status == 403, path
            assert "did not come from this site" in html
        status, _, _ = await browser.post(
            "/admin/reveal", {**form, "csrf_token": "forged"}, csrf=False
        )
        assert status == 403
    assert await audit(node, "pseudonym.reveal") == []


async def test_reveal_needs_an_admin_and_a_reason_and_is_audited(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Hidden Author", specialty="nephrology")
    moderator = await staff(node, Role.MODERATOR)
    admin = await staff(node, Role.ADMIN, name="Ada Admin")
    _, case = await node.request(
        "POST", "/api/v1/cases", token=author.token, json={**CASE, "anonymous": True}
    )
    handle = case["author"]["pseudonym"]

    async with signed_in(node, moderator, Role.MODERATOR) as browser:
        status, _, _ = await browser.post(
            "/admin/reveal",
            {"pseudonym": handle, "reason": "court order 12/2026"},
            form_page="/admin",
        )
        assert status == 403
    assert await audit(node, "pseudonym.reveal") == []

    async with signed_in(node, admin, Role.ADMIN) as browser:
        status, html, _ = await browser.get("/admin/reveal")
        assert status == 200 and "written to the audit log" in html
        status, html, _ = await browser.post(
            "/admin/reveal", {"pseudonym": handle, "reason": "why"}, form_page="/admin/reveal"
        )
        assert status == 422 and "at least 10 characters" in html
        assert "Hidden Author" not in html
        assert await audit(node, "pseudonym.reveal") == []

        # The full IRI, as copied from a peer's page, works as well as the handle.
        status, html, _ = await browser.post(
            "/admin/reveal",
            {"pseudonym": f"{node.base_url}/pseudonyms/{handle}", "reason": "court order 12/2026"},
            form_page="/admin/reveal",
        )
        assert status == 200
        text = text_of(html)
        assert "Hidden Author" in text and author.email in text
        assert f'href="/cases/{case["local_id"]}"' in html
        assert f'href="/admin/members/{author.public_id}"' in html

        status, html, _ = await browser.post(
            "/admin/reveal",
            {"pseudonym": "anon-nobody0000", "reason": "checking a rumour"},
            form_page="/admin/reveal",
        )
        assert status == 404 and "recorded in the audit log" in html

        # The audit log page shows who looked, at what, and why.
        _, html, _ = await browser.get("/admin/audit?action=pseudonym.reveal")
        text = text_of(html)
        assert "Ada Admin" in text and "court order 12/2026" in text
        assert "checking a rumour" in text
        assert "Anonymous author revealed" in text  # the action in words, beside its code
        assert "Hidden Author" not in text and author.email not in text

    entries = await audit(node, "pseudonym.reveal")
    assert [(e.actor, e.reason, (e.details or {}).get("found")) for e in entries] == [
        (f"member:{admin.public_id}", "court order 12/2026", True),
        (f"member:{admin.public_id}", "checking a rumour", False),
    ]


async def test_de_identification_flags_are_listed_and_marked_reviewed(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Flagged Author")
    moderator = await staff(node, Role.MODERATOR, name="Mo Derator")
    _, problem = await node.request("POST", "/api/v1/cases", token=author.token, json=IDENTIFYING)
    every = [{"kind": f["kind"], "text": f["text"]} for f in problem["findings"]]
    status, case = await node.request(
        "POST",
        "/api/v1/cases",
        token=author.token,
        json={**IDENTIFYING, "acknowledged_findings": every},
    )
    assert status == 201, case

    async with signed_in(node, moderator, Role.MODERATOR) as browser:
        _, overview, _ = await browser.get("/admin")
        count = len(every)
        assert f"{count} flags not yet reviewed" in text_of(overview)
        status, html, _ = await browser.get("/admin/deid")
        assert status == 200
        text = text_of(html)
        for finding in every:
            assert finding["text"] in text
        assert "Phone number" in text  # the kind, in words
        assert f'href="/cases/{case["local_id"]}"' in html
        assert "Flagged Author" not in text  # flags never name the author
        # From a flag to hiding the post: the report form, with the moderator's box.
        report = re.search(r'href="(/report\?object=[^"]+)"', html)
        assert report is not None
        _, form, _ = await browser.get(unescape(report.group(1)))
        assert IDENTIFYING["title"][:20] in unescape(form) and 'name="hide"' in form
        assert 'name="back" value="/admin/deid"' in form
        ids = [int(n) for n in re.findall(r'action="/admin/deid/(\d+)/reviewed"', html)]
        assert len(ids) == count

        status, _, response = await browser.post(
            f"/admin/deid/{ids[0]}/reviewed", {}, form_page="/admin/deid"
        )
        assert status == 302 and response.headers["Location"] == "/admin/deid?notice=reviewed"
        _, html, _ = await browser.get("/admin/deid?notice=reviewed")
        assert "marked reviewed" in html
        assert f"/admin/deid/{ids[0]}/reviewed" not in html
        _, html, _ = await browser.get("/admin/deid?tab=reviewed")
        assert f'id="flag-{ids[0]}"' in html
        status, _, _ = await browser.post("/admin/deid/999999/reviewed", {}, form_page="/admin")
        assert status == 404

    [entry] = await audit(node, "deid.flag.review")
    assert entry.actor == f"member:{moderator.public_id}"
    assert entry.subject == case["id"]


async def test_the_audit_log_filters_and_pages(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    moderator = await staff(node, Role.MODERATOR)
    async with node.state.db.write() as session:
        for n in range(60):
            record(
                session,
                actor="cli",
                action="test.page" if n % 2 else "test.other",
                subject=f"thing:{n % 3}",
                reason=f"entry number {n}",
            )
    async with signed_in(node, moderator, Role.MODERATOR) as browser:
        _, html, _ = await browser.get("/admin/audit")
        rows = re.findall(r'<tr id="entry-(\d+)">', html)
        assert len(rows) == 50
        assert [int(n) for n in rows] == sorted((int(n) for n in rows), reverse=True)
        assert "entry number 59" in html
        assert '<option value="test.page">test.page</option>' in html  # what the log holds
        # Known actions are in words, in the reader's language, with their code.
        _, german, _ = await browser.get("/admin/audit", headers={"Accept-Language": "de"})
        assert "Mitglied hinzugefügt" in german and "(member.add)</option>" in german

        _, html, _ = await browser.get("/admin/audit?action=test.page&subject=thing:0")
        reasons = re.findall(r"entry number (\d+)", html)
        expected = [str(n) for n in range(59, -1, -1) if n % 2 and n % 3 == 0]
        assert reasons == expected
        assert 'rel="next"' not in html

        _, html, _ = await browser.get("/admin/audit?action=test.other")
        assert len(re.findall(r'<tr id="entry-', html)) == 30
        assert 'rel="next"' not in html
        _, first, _ = await browser.get("/admin/audit?subject=thing:1")
        assert 'rel="next"' not in first  # 20 entries fit on one page
        _, everything, _ = await browser.get("/admin/audit")
        older = re.search(r'rel="next" href="([^"]+)"', everything)
        assert older is not None
        _, html, _ = await browser.get(unescape(older.group(1)))
        assert "entry number 0" in html and "entry number 59" not in html
        _, html, _ = await browser.get("/admin/audit?action=no.such.action")
        assert "No entries match." in html


async def test_reasons_the_node_wrote_are_shown_in_the_reader_s_language(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    moderator = await staff(node, Role.MODERATOR)
    async with node.state.db.write() as session:
        record(session, actor="system", action="member.status", reason=REGISTER_MATCH)
        record(session, actor="cli", action="member.status", reason="register match, I checked")
    async with signed_in(node, moderator, Role.MODERATOR) as browser:
        _, english, _ = await browser.get("/admin/audit?action=member.status")
        _, german, _ = await browser.get(
            "/admin/audit?action=member.status", headers={"Accept-Language": "de"}
        )

    def reasons(html: str) -> list[str]:
        return re.findall(r'<td class="prose" dir="auto">([^<]*)</td>', html)

    assert reasons(english) == ["register match, I checked", "register match"]
    # A typed reason stays as it was typed; the stored English is unchanged.
    assert reasons(german) == ["register match, I checked", "Übereinstimmung mit dem Register"]
    assert [entry.reason for entry in await audit(node, "member.status")] == [
        "register match",
        "register match, I checked",
    ]
