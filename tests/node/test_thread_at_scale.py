"""The 46-doctor thread of issue 4: one case, 46 replies from 10 nodes (some anonymous),
one node down for part of it, a poll and a resolution; at the end every node shows the
same replies in the same order, the same poll tallies, helpful totals and status."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.node.test_federation_basics import CASE
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually

COUNTRIES = ["US", "DE", "FR", "IT", "ES", "NL", "DK", "SE", "FI", "PL"]
REPLIES = 46


async def case_on(node: TestNode, account: Account, iri: str) -> dict[str, Any] | None:
    status, listing = await node.request("GET", "/api/v1/cases?limit=100", token=account.token)
    assert status == 200, listing
    local = next((item["local_id"] for item in listing["items"] if item["id"] == iri), None)
    if local is None:
        return None
    status, body = await node.request("GET", f"/api/v1/cases/{local}", token=account.token)
    assert status == 200
    return body


def snapshot(body: dict[str, Any]) -> tuple[Any, ...]:
    replies = tuple(
        (
            r["id"],
            r["position"],
            r["content"],
            r["helpful_count"],
            r["author"]["anonymous"],
            r["author"]["name"],
            r["author"]["pseudonym"],
            r["author"]["country"],
        )
        for r in body["replies"]
    )
    poll = body["poll"]
    tallies = tuple(option["votes"] for option in poll["options"])
    resolution = body["resolution"]["summary"] if body["resolution"] else None
    return (body["status"], replies, poll["voters_count"], tallies, resolution)


@pytest.mark.slow
@pytest.mark.sqlite_only  # 10 nodes x PostgreSQL adds minutes, not coverage
async def test_a_46_doctor_thread_across_10_nodes(network: NodeNetwork) -> None:
    nodes = [await network.spawn(country, view_report_seconds=0.5) for country in COUNTRIES]
    await network.mesh(*nodes)
    origin = nodes[0]
    author = await origin.add_member(name="Case Author", specialty="pediatrics")
    doctors: list[tuple[TestNode, Account]] = [
        (node, await node.add_member(specialty="pediatrics")) for node in nodes for _ in range(5)
    ][:REPLIES]
    status, case = await origin.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201
    closes = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    status, _ = await origin.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/poll",
        token=author.token,
        json={"question": "Diagnosis?", "options": ["PFAPA", "FMF", "Other"], "closes_at": closes},
    )
    assert status == 201
    local_ids: dict[str, str] = {}

    async def reply(index: int, node: TestNode, account: Account) -> None:
        if node.base_url not in local_ids:
            found = await eventually(
                lambda: case_on(node, account, case["id"]), within=60, what="case"
            )
            local_ids[node.base_url] = found["local_id"]
        status, body = await node.request(
            "POST",
            f"/api/v1/cases/{local_ids[node.base_url]}/replies",
            token=account.token,
            json={
                "content": f"Reply {index:02d}: consider MEFV genetics.",
                "anonymous": index % 3 == 0,
            },
        )
        assert status == 201, body

    down = nodes[5]
    for index, (node, account) in enumerate(doctors[:20]):
        await reply(index, node, account)
    await down.stop()  # one node goes down for part of the thread
    for index, (node, account) in enumerate(doctors[20:], start=20):
        if node is not down:
            await reply(index, node, account)
    await asyncio.sleep(1)
    await down.start()
    for index, (node, account) in enumerate(doctors[20:], start=20):
        if node is down:
            await reply(index, node, account)

    async def all_placed() -> bool:
        body = await case_on(origin, author, case["id"])
        return (
            body is not None
            and len(body["replies"]) == REPLIES
            and not any(r["pending"] for r in body["replies"])
        )

    await eventually(all_placed, within=180, what="46 replies placed at the origin")
    origin_view = await case_on(origin, author, case["id"])
    assert origin_view is not None
    # Votes and helpful marks from every node, then the resolution.
    marks = 0
    for index, (node, account) in enumerate(doctors[::5]):
        body = await case_on(node, account, case["id"])
        assert body is not None
        status, _ = await node.request(
            "POST",
            f"/api/v1/cases/{body['local_id']}/poll/votes",
            token=account.token,
            json={"choices": [index % 3]},
        )
        assert status == 201
        target = body["replies"][index]
        status, _ = await node.request(
            "POST", f"/api/v1/replies/{target['local_id']}/helpful", token=account.token
        )
        assert status in (201, 409)  # 409: one's own reply
        marks += status == 201
    accepted = origin_view["replies"][1]["local_id"]
    status, _ = await origin.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/resolution",
        token=author.token,
        json={"accepted_reply": accepted, "summary": "PFAPA.", "found_what_needed": True},
    )
    assert status == 201

    async def identical_everywhere() -> list[tuple[Any, ...]] | None:
        views = []
        for node in nodes:
            account = next(acc for n, acc in doctors if n is node)
            body = await case_on(node, account, case["id"])
            if body is None:
                return None
            views.append(snapshot(body))
        return (
            views if all(view == views[0] for view in views) and views[0][0] == "resolved" else None
        )

    views = await eventually(
        identical_everywhere, within=180, interval=0.5, what="identical threads"
    )
    status, replies, voters, tallies, summary = views[0]
    assert len(replies) == REPLIES
    assert [reply[1] for reply in replies] == list(range(1, REPLIES + 1))
    assert voters == len(doctors[::5])
    assert tallies == (4, 3, 3)  # ten voters choosing index % 3; every viewer here voted
    assert sum(reply[3] for reply in replies) == marks
    anonymous = [reply for reply in replies if reply[4]]
    assert anonymous and all(
        reply[5] is None and reply[6].startswith("anon-") for reply in anonymous
    )
    assert summary == "PFAPA."
