"""Posting cases and replies as a member would, for the search and metrics tests."""

from __future__ import annotations

from typing import Any

from tests.rig import Account, TestNode

BASE_CASE: dict[str, Any] = {
    "title": "Adult with a puzzling presentation",
    "body": "Previously healthy adult, symptoms for two weeks, routine bloods unremarkable.",
    "question": "What would you do next?",
    "specialties": ["internal-medicine"],
    "language": "en",
    "audience": "federated",
    "anonymous": False,
}


def _acknowledged(problem: Any) -> list[dict[str, str]] | None:
    """The guard's findings as acknowledgements (eponyms like Guillain-Barré are
    names to the de-identification scanner); None if the refusal is something else."""
    if not isinstance(problem, dict) or not problem.get("findings"):
        return None
    return [{"kind": f["kind"], "text": f["text"]} for f in problem["findings"]]


async def post_case(node: TestNode, account: Account, **fields: Any) -> dict[str, Any]:
    body = {**BASE_CASE, **fields}
    status, case = await node.request("POST", "/api/v1/cases", token=account.token, json=body)
    if status == 422 and (acks := _acknowledged(case)):
        body["acknowledged_findings"] = acks
        status, case = await node.request("POST", "/api/v1/cases", token=account.token, json=body)
    assert status == 201, case
    return case


async def post_reply(
    node: TestNode, account: Account, case_local_id: str, content: str, **fields: Any
) -> dict[str, Any]:
    body = {"content": content, **fields}
    path = f"/api/v1/cases/{case_local_id}/replies"
    status, reply = await node.request("POST", path, token=account.token, json=body)
    if status == 422 and (acks := _acknowledged(reply)):
        body["acknowledged_findings"] = acks
        status, reply = await node.request("POST", path, token=account.token, json=body)
    assert status == 201, reply
    return reply


async def resolve(
    node: TestNode, account: Account, case_local_id: str, reply_local_id: str, *, found: bool
) -> None:
    status, body = await node.request(
        "POST",
        f"/api/v1/cases/{case_local_id}/resolution",
        token=account.token,
        json={"accepted_reply": reply_local_id, "summary": "Settled.", "found_what_needed": found},
    )
    assert status == 201, body


async def search(node: TestNode, account: Account, **params: str) -> dict[str, Any]:
    status, body = await node.request("GET", "/api/v1/search", token=account.token, params=params)
    assert status == 200, body
    return body


async def listed(node: TestNode, account: Account, **params: str) -> list[str]:
    """Titles ``GET /api/v1/cases`` returns, in order."""
    status, body = await node.request("GET", "/api/v1/cases", token=account.token, params=params)
    assert status == 200, body
    return [item["title"] for item in body["items"]]


def titles(results: dict[str, Any]) -> list[str]:
    return [item["case"]["title"] for item in results["items"]]


def marked(segments: list[dict[str, Any]]) -> list[str]:
    """The words an excerpt highlights."""
    return [segment["text"] for segment in segments if segment["match"]]
