"""Your sessions: listed with their device, ended one by one or all but this one; an
admin can end every session of a member (audited)."""

from __future__ import annotations

import re

from sqlalchemy import select

from node.audit.models import AuditEntry
from node.members.models import Role
from tests.node.accounts.support import PASSWORD, Browser, open_browser, set_up_at_login
from tests.rig import NodeNetwork

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit Version/17.0 Safari/604.1"
)
WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit Chrome/126.0 Safari/537.36 Edg/126.0"
)


def session_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/settings/sessions/(\d+)/end"', html)]


async def test_list_and_end_your_sessions(network: NodeNetwork, browsers: list[Browser]) -> None:
    node = await network.spawn("US")
    account = await node.add_member(password=PASSWORD)
    other_member = await node.add_member(password=PASSWORD)
    desk = open_browser(browsers, node)
    phone = open_browser(browsers, node, user_agent=PHONE)
    office = open_browser(browsers, node, user_agent=WINDOWS)
    for browser in (desk, phone, office):
        assert (await browser.sign_in(account.email))[0] == 302
    status, html, _ = await desk.get("/settings/sessions")
    assert status == 200
    assert "Firefox · Linux" in html and "(this device)" in html
    assert "Safari · iPhone" in html and "Edge · Windows" in html
    ids = session_ids(html)
    assert len(ids) == 2  # no "sign out" button for the session in use

    # Someone else cannot end my sessions, even knowing their ids.
    stranger = open_browser(browsers, node)
    await stranger.sign_in(other_member.email)
    for session_id in ids:
        status, _, _ = await stranger.post(
            f"/settings/sessions/{session_id}/end", {}, form_page="/settings/sessions"
        )
        assert status == 404
    assert (await phone.get("/settings"))[0] == 200

    phone_id = next(
        i for i in ids if f"/settings/sessions/{i}/end" in html.split("iPhone")[1][:600]
    )
    status, _, _ = await desk.post(
        f"/settings/sessions/{phone_id}/end", {}, form_page="/settings/sessions"
    )
    assert status == 302
    assert (await phone.get("/settings"))[0] == 302  # signed out
    assert (await office.get("/settings"))[0] == 200
    status, _, _ = await desk.post(
        "/settings/sessions/end-others", {}, form_page="/settings/sessions"
    )
    assert status == 302
    assert (await office.get("/settings"))[0] == 302
    status, html, _ = await desk.get("/settings/sessions")
    assert status == 200 and session_ids(html) == []


async def test_an_admin_ends_all_sessions_of_a_member(
    network: NodeNetwork, browsers: list[Browser]
) -> None:
    node = await network.spawn("US")
    target = await node.add_member(password=PASSWORD, name="Compromised Account")
    admin = await node.add_member(password=PASSWORD, role=Role.ADMIN)
    for _ in range(2):
        assert (await open_browser(browsers, node).sign_in(target.email))[0] == 302
    victim = open_browser(browsers, node)
    await victim.sign_in(target.email)

    path = f"/api/v1/admin/members/{target.public_id}/sessions/end"
    status, body = await node.request("POST", path, token=target.token, json={"reason": "mine"})
    assert status == 403  # members cannot
    status, body = await node.request("POST", path, token=admin.token, json={})
    assert status == 422  # a reason is required
    status, body = await node.request(
        "POST", path, token=admin.token, json={"reason": "laptop stolen"}
    )
    assert (status, body) == (200, {"public_id": target.public_id, "ended": 3})
    assert (await victim.get("/settings"))[0] == 302
    # Their API token is revoked with the sessions.
    assert (await node.request("GET", "/api/v1/me", token=target.token))[0] == 401
    status, _ = await node.request(
        "POST", "/api/v1/admin/members/nobody/sessions/end", token=admin.token, json={"reason": "x"}
    )
    assert status == 404

    # The same from the admin's pages (after the admin's own second factor).
    await victim.sign_in(target.email)
    console = open_browser(browsers, node)
    await set_up_at_login(console, admin.email)
    page = f"/admin/members/{target.public_id}/sessions"
    status, html, _ = await console.get(page)
    assert status == 200 and "Compromised Account" in html
    status, html, _ = await console.post(page + "/end", {"reason": ""}, form_page=page)
    assert status == 422
    status, html, _ = await console.post(page + "/end", {"reason": "phishing"}, form_page=page)
    assert status == 200 and "1 session was ended" in html
    assert (await victim.get("/settings"))[0] == 302
    member_browser = open_browser(browsers, node)
    await member_browser.sign_in(target.email)
    assert (await member_browser.get(page))[0] == 403

    async with node.state.db.read() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "account.sessions.end")
                .order_by(AuditEntry.id)
            )
        )
    assert [(e.actor, e.subject, e.reason) for e in entries] == [
        (f"member:{admin.public_id}", f"member:{target.public_id}", "laptop stolen"),
        (f"member:{admin.public_id}", f"member:{target.public_id}", "phishing"),
    ]
