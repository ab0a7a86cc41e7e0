"""Helpers for the notification tests: posting through the API, reading notifications."""

from __future__ import annotations

from typing import Any

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

    return await eventually(probe, what=what or f"{count} notification(s)")


async def local_id_on(node: TestNode, account: Account, case_iri: str) -> str:
    """The local id of a (possibly federated) case on ``node``, once it has arrived."""

    async def probe() -> str | None:
        status, listing = await node.request("GET", "/api/v1/cases?limit=100", token=account.token)
        assert status == 200, listing
        return next((item["local_id"] for item in listing["items"] if item["id"] == case_iri), None)

    return await eventually(probe, what=f"case {case_iri} on {node.config.country}")


async def settle(node: TestNode) -> None:
    """Let event subscribers that are still running finish (for "nothing happened")."""
    await node.state.events.drain()
