"""Thread counters stay exact when many members act on one case at the same moment.

The API and the inbox worker read, change and write back a thread's counters; on
PostgreSQL two transactions at once would both start from the same value and one
increment would be lost (and with it the thread would differ from node to node).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from node.cases import actions
from node.cases.models import Case, CaseView
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork

CROWD = 12


async def test_simultaneous_replies_votes_marks_and_views_all_count(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Case Author", specialty="pediatrics")
    answerer = await node.add_member(name="First Answer")
    crowd = [await node.add_member() for _ in range(CROWD)]
    status, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case
    cases = f"/api/v1/cases/{case['local_id']}"
    closes = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    status, _ = await node.request(
        "POST",
        f"{cases}/poll",
        token=author.token,
        json={"question": "Diagnosis?", "options": ["PFAPA", "FMF"], "closes_at": closes},
    )
    assert status == 201
    status, first = await node.request(
        "POST", f"{cases}/replies", token=answerer.token, json={"content": "Consider FMF."}
    )
    assert status == 201, first

    async def act(index: int) -> None:
        token = crowd[index].token
        results = await asyncio.gather(
            node.request("GET", cases, token=token),  # a first view
            node.request(
                "POST", f"{cases}/replies", token=token, json={"content": f"Reply {index}."}
            ),
            node.request("POST", f"{cases}/poll/votes", token=token, json={"choices": [index % 2]}),
            node.request("POST", f"/api/v1/replies/{first['local_id']}/helpful", token=token),
        )
        assert [status for status, _ in results] == [200, 201, 201, 201], results

    await asyncio.gather(*(act(index) for index in range(CROWD)))

    # Read as one of the crowd: poll results show only to those who voted.
    status, body = await node.request("GET", cases, token=crowd[0].token)
    assert status == 200
    assert len(body["replies"]) == CROWD + 1
    assert sorted(r["position"] for r in body["replies"]) == list(range(1, CROWD + 2))
    assert body["replies"][0]["helpful_count"] == CROWD
    assert body["poll"]["voters_count"] == CROWD
    assert [o["votes"] for o in body["poll"]["options"]] == [CROWD // 2, CROWD // 2]
    assert body["view_count"] == CROWD  # each member's first view, once
    status, listing = await node.request("GET", "/api/v1/cases", token=author.token)
    assert status == 200
    [summary] = [item for item in listing["items"] if item["id"] == case["id"]]
    assert summary["reply_count"] == CROWD + 1


async def test_a_first_look_answers_with_the_view_it_counted(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(specialty="pediatrics")
    readers = [await node.add_member() for _ in range(3)]
    status, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case
    path = f"/api/v1/cases/{case['local_id']}"
    for count, reader in enumerate(readers, start=1):
        status, body = await node.request("GET", path, token=reader.token)
        assert status == 200
        # The case is this node's: its network total counts the view at once too.
        assert (body["view_count"], body["network_view_count"]) == (count, count)
        status, again = await node.request("GET", path, token=reader.token)
        assert (again["view_count"], again["network_view_count"]) == (count, count)


async def test_a_case_deleted_while_it_is_read_answers_without_counting_a_view(
    network: NodeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The thread is read before the view is counted; a Delete applied in between
    # removes the case's row, and the view would then refer to nothing (it was a
    # foreign-key error, a 500, on both databases).
    node = await network.spawn("US")
    author = await node.add_member(specialty="pediatrics")
    reader = await node.add_member()
    status, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case
    detail = actions.case_detail

    async def deleted_meanwhile(session: Any, shown: Case, member: Any) -> Any:
        out = await detail(session, shown, member)
        async with node.state.db.write() as writer:
            await writer.execute(delete(Case).where(Case.id == shown.id))
        return out

    monkeypatch.setattr(actions, "case_detail", deleted_meanwhile)
    status, body = await node.request(
        "GET", f"/api/v1/cases/{case['local_id']}", token=reader.token
    )
    assert status == 200, body  # what was read, as a read just before the Delete would be
    assert body["title"] == CASE["title"]
    monkeypatch.undo()
    status, _ = await node.request("GET", f"/api/v1/cases/{case['local_id']}", token=reader.token)
    assert status == 404
    async with node.state.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(CaseView)) == 0
