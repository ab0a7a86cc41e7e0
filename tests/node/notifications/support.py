"""Helpers for the notification tests: posting through the API, reading notifications."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy import select

from node.cases.models import Case
from node.members.models import Member
from node.notifications.models import Notification
from tests.rig import Account, TestNode
from tests.waiting import eventually

CASE: dict[str, Any] = {
    "title": "Toddler with recurrent fevers",
    "body": "Three-year-old with fevers every 4 weeks, aphthous ulcers and pharyngitis.",
    "question": "PFAPA or something else? Which work-up before a steroid trial?",
    "specialties": ["pediatrics", "infectious-diseases"],
    "language": "en",
    "audience": "federated",
    "anonymous": False,
}


def case_with(**changes: Any) -> dict[str, Any]:
    return {**CASE, **changes}


async def post_case(node: TestNode, account: Account, **changes: Any) -> dict[str, Any]:
    status, body = await node.request(
        "POST", "/api/v1/cases", token=account.token, json=case_with(**changes)
    )
    assert status == 201, body
    return body


async def reply(
    node: TestNode, account: Account, local_id: str, content: str, *, anonymous: bool = False
) -> dict[str, Any]:
    status, body = await node.request(
        "POST",
        f"/api/v1/cases/{local_id}/replies",
        token=account.token,
        json={"content": content, "anonymous": anonymous},
    )
    assert status == 201, body
    return body


async def follow(node: TestNode, account: Account, *codes: str) -> None:
    status, body = await node.request(
        "PUT", "/api/v1/me/follows", token=account.token, json={"specialties": list(codes)}
    )
    assert status == 200, body


async def notifications(node: TestNode, account: Account, query: str = "") -> dict[str, Any]:
    status, body = await node.request("GET", f"/api/v1/notifications{query}", token=account.token)
    assert status == 200, body
    return body


async def wait_for_notifications(
    node: TestNode, account: Account, count: int, *, what: str = ""
) -> dict[str, Any]:
    """Notifications are written just after the change commits: poll until they are."""

    async def probe() -> dict[str, Any] | None:
        body = await notifications(node, account)
        return body if len(body["items"]) >= count else None

    found = await eventually(probe, what=what or f"{count} notification(s)")
    assert found is not None
    return found


async def local_id_on(node: TestNode, account: Account, case_iri: str) -> str:
    """The local id of a (possibly federated) case on ``node``, once it has arrived."""

    async def probe() -> str | None:
        status, listing = await node.request("GET", "/api/v1/cases?limit=100", token=account.token)
        assert status == 200, listing
        return next((item["local_id"] for item in listing["items"] if item["id"] == case_iri), None)

    local_id = await eventually(probe, what=f"case {case_iri} on {node.config.country}")
    assert local_id is not None
    return local_id


async def settle(node: TestNode) -> None:
    """Let event subscribers that are still running finish (for "nothing happened")."""
    await node.state.events.drain()


PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


@dataclass
class Page:
    status: int
    html: str
    location: str | None


@dataclass
class Browser:
    """A signed-in browser: cookies, HTML, forms with their CSRF token."""

    node: TestNode
    http: aiohttp.ClientSession

    async def get(self, path: str) -> Page:
        async with self.http.get(
            self.node.base_url + path, headers={"Accept": "text/html"}, allow_redirects=False
        ) as response:
            return Page(response.status, await response.text(), response.headers.get("Location"))

    async def post(
        self, path: str, fields: list[tuple[str, str]], *, csrf_from: str | None = None
    ) -> Page:
        """Post a form; with ``csrf_from``, with the CSRF token of that page."""
        if csrf_from is not None:
            fields = [*fields, ("csrf_token", csrf_of((await self.get(csrf_from)).html))]
        async with self.http.post(
            self.node.base_url + path,
            data=fields,
            headers={"Accept": "text/html"},
            allow_redirects=False,
        ) as response:
            return Page(response.status, await response.text(), response.headers.get("Location"))


@asynccontextmanager
async def browser(node: TestNode, account: Account) -> AsyncIterator[Browser]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        visitor = Browser(node, http)
        login = await visitor.get("/login")
        signed_in = await visitor.post(
            "/login",
            [
                ("email", account.email),
                ("password", PASSWORD),
                ("next", "/"),
                ("csrf_token", csrf_of(login.html)),
            ],
        )
        assert signed_in.status == 302, signed_in.html[:300]
        yield visitor


async def add_unread(node: TestNode, account: Account, case_local_id: str, count: int) -> None:
    """``count`` unread notifications about one case, written straight to the database
    (as many as a member who never reads collects)."""
    reader_id = await member_id(node, account)
    async with node.state.db.write() as session:
        case_id = await session.scalar(select(Case.id).where(Case.local_id == case_local_id))
        assert case_id is not None
        session.add_all(
            Notification(
                public_id=f"n{n:04d}",
                member_id=reader_id,
                kind="new_case",
                case_id=case_id,
                subject=f"new_case:test-{n}",
            )
            for n in range(count)
        )


def badge_text(html: str) -> str | None:
    """The unread number in the navigation as shown, or None when the badge is hidden."""
    match = re.search(
        r'<span class="unread-badge"[^>]*?( hidden)?> <span class="visually-hidden">[^<]*</span>'
        r"<span data-unread-count[^>]*>([^<]*)</span>",
        html,
    )
    assert match, "no unread badge on the page"
    return None if match.group(1) else match.group(2)


def badge_count(html: str) -> int | None:
    """The unread number in the navigation, or None when the badge is hidden."""
    text = badge_text(html)
    return None if text is None else int(text)


async def member_id(node: TestNode, account: Account) -> int:
    async with node.state.db.read() as session:
        found = await session.scalar(select(Member.id).where(Member.public_id == account.public_id))
    assert found is not None
    return int(found)
