"""The notification page, the nav badge, following a notification, the follows page."""

from __future__ import annotations

import re

from tests.node.notifications.support import (
    PASSWORD,
    badge_count,
    browser,
    follow,
    notifications,
    post_case,
    wait_for_notifications,
)
from tests.node.pages.test_admin_pages import text_of
from tests.rig import NodeNetwork


async def test_notification_page_badge_and_marking_read(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Alice Carter", specialty="pediatrics")
    reader = await node.add_member(name="Ben Okafor", password=PASSWORD)
    other = await node.add_member(name="Chen Li")
    await follow(node, reader, "pediatrics")
    await follow(node, other, "pediatrics")
    named = await post_case(node, author, title="Fevers every four weeks")
    anonymous = await post_case(node, author, title="Rash after amoxicillin", anonymous=True)
    await wait_for_notifications(node, reader, 2)
    others = await wait_for_notifications(node, other, 2)

    async with browser(node, reader) as visitor:
        page = await visitor.get("/notifications")
        assert page.status == 200
        assert page.html.count('class="notification is-unread"') == 2
        assert badge_count(page.html) == 2
        assert "Fevers every four weeks" in page.html and "Rash after amoxicillin" in page.html
        assert "Alice Carter" in page.html  # the named case
        assert anonymous["author"]["pseudonym"] in page.html
        assert page.html.count("Alice Carter") == 1  # never for the anonymous one

        # Following a notification opens the case and marks it read.
        ids = re.findall(r'href="/notifications/([a-z2-7]+)/open"', page.html)
        assert len(ids) == 2
        opened = await visitor.get(f"/notifications/{ids[1]}/open")
        assert opened.status == 302
        assert opened.location == f"/cases/{named['local_id']}"
        page = await visitor.get("/notifications")
        assert page.html.count('class="notification is-unread"') == 1
        assert badge_count(page.html) == 1

        # Someone else's notification is nobody's business.
        missing = await visitor.get(f"/notifications/{others['items'][0]['id']}/open")
        assert missing.status == 404

        # "Mark all read" needs the form's CSRF token.
        refused = await visitor.post("/notifications/read", [("all", "1")])
        assert refused.status == 403
        done = await visitor.post("/notifications/read", [("all", "1")], csrf_from="/notifications")
        assert (done.status, done.location) == (303, "/notifications")
        page = await visitor.get("/notifications")
        assert "is-unread" not in page.html
        assert badge_count(page.html) is None
        assert "Mark all read" not in page.html
    assert (await notifications(node, other))["unread_count"] == 2


async def test_pages_need_a_verified_member(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    pending = await node.add_member(verified=False, password=PASSWORD)
    async with browser(node, pending) as visitor:
        page = await visitor.get("/notifications")
        assert (page.status, page.location) == (302, "/verification")
        page = await visitor.get("/settings/follows")  # settings are fine before verification
        assert page.status == 200
        # No notifications menu, badge or live stream for a member who cannot read cases.
        assert 'class="unread-badge"' not in page.html
        assert "data-events" not in page.html
    async with node.http.get(node.base_url + "/notifications", allow_redirects=False) as response:
        assert response.status == 302 and response.headers["Location"].startswith("/login")


async def test_follows_page(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    member = await node.add_member(specialty="nephrology", password=PASSWORD)
    async with browser(node, member) as visitor:
        page = await visitor.get("/settings/follows")
        assert page.status == 200
        boxes = re.findall(r'name="specialty" value="([a-z-]+)"', page.html)
        assert len(boxes) == len(set(boxes)) >= 36 and "tropical-medicine" in boxes
        assert "<legend>Internal medicine and its specialties</legend>" in page.html
        assert "(your specialty)" in page.html
        assert re.search(r'value="off" aria-describedby="digest-hint" checked', page.html)

        saved = await visitor.post(
            "/settings/follows",
            [("specialty", "pediatrics"), ("specialty", "nephrology"), ("digest", "weekly")],
            csrf_from="/settings/follows",
        )
        assert (saved.status, saved.location) == (303, "/settings/follows?saved=1")
        page = await visitor.get("/settings/follows?saved=1")
        assert "Saved." in page.html
        checked = re.findall(r'name="specialty" value="([a-z-]+)" checked', page.html)
        assert checked == ["nephrology", "pediatrics"]  # in the page's (grouped) order
        assert re.search(r'value="weekly" aria-describedby="digest-hint" checked', page.html)

        # A tampered form is refused and changes nothing.
        for fields in (
            [("specialty", "pediatrics"), ("specialty", "astrology"), ("digest", "off")],
            [("specialty", "pediatrics"), ("digest", "hourly")],
        ):
            refused = await visitor.post("/settings/follows", fields, csrf_from="/settings/follows")
            assert refused.status == 422
            assert 'role="alert"' in refused.html
        no_csrf = await visitor.post("/settings/follows", [("digest", "off")])
        assert no_csrf.status == 403
    status, body = await node.request("GET", "/api/v1/me/follows", token=member.token)
    assert (status, body) == (200, {"specialties": ["pediatrics", "nephrology"]})
    status, body = await node.request("GET", "/api/v1/me/notification-settings", token=member.token)
    assert (status, body["digest"]) == (200, "weekly")


async def test_the_badge_reads_as_a_label_and_a_count_in_any_language(
    network: NodeNetwork,
) -> None:
    # The count changes live, so the words around it cannot agree with it: a label
    # before the number reads right for 1, 2 or 5 in every language ("5
    # nieprzeczytane" was wrong Polish; it needs "nieprzeczytanych").
    node = await network.spawn("US")
    author = await node.add_member(specialty="pediatrics")
    reader = await node.add_member(password=PASSWORD)
    await follow(node, reader, "pediatrics")
    for title in ("Fevers every four weeks", "Rash after amoxicillin"):
        await post_case(node, author, title=title)
    await wait_for_notifications(node, reader, 2)
    async with browser(node, reader) as visitor:
        async with visitor.http.get(
            node.base_url + "/notifications",
            headers={"Accept": "text/html", "Accept-Language": "pl"},
        ) as response:
            polish = await response.text()
        assert badge_count(polish) == 2
        assert "Powiadomienia Nieprzeczytane powiadomienia: 2" in text_of(polish)
