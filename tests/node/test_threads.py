"""A case thread across three nodes: replies, order, helpful, poll, resolution, deletes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from node.cases.models import Case
from tests.node.test_federation_basics import CASE
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually


async def detail(node: TestNode, account: Account, case_iri: str) -> dict[str, Any] | None:
    status, listing = await node.request("GET", "/api/v1/cases?limit=100", token=account.token)
    assert status == 200, listing
    local = next((item["local_id"] for item in listing["items"] if item["id"] == case_iri), None)
    if local is None:
        return None
    status, body = await node.request("GET", f"/api/v1/cases/{local}", token=account.token)
    if status in (404, 410):
        return None  # deleted between the listing and the look (a delete is under way)
    assert status == 200, body
    return body


def thread_view(case: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            r["id"],
            r["position"],
            r["content"],
            r["helpful_count"],
            r["author"]["anonymous"],
            r["author"].get("name"),
            r["author"].get("pseudonym"),
        )
        for r in case["replies"]
    ]


@pytest.fixture
async def trio(network: NodeNetwork) -> tuple[TestNode, TestNode, TestNode]:
    us = await network.spawn("US", view_report_seconds=0.2)
    de = await network.spawn("DE", view_report_seconds=0.2)
    fr = await network.spawn("FR", view_report_seconds=0.2)
    await network.mesh(us, de, fr)
    return us, de, fr


async def test_thread_converges_on_every_node(trio: tuple[TestNode, TestNode, TestNode]) -> None:
    us, de, fr = trio
    author = await us.add_member(name="Alice Carter", specialty="pediatrics")
    us_peer = await us.add_member(name="Ben Okafor", specialty="gastroenterology")
    de_doc = await de.add_member(name="Jonas Weber", specialty="general-practice")
    fr_doc = await fr.add_member(name="Camille Dubois", specialty="pediatrics")
    status, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201

    async def on(node: TestNode, account: Account) -> dict[str, Any]:
        return await eventually(
            lambda: detail(node, account, case["id"]), what=f"case on {node.config.country}"
        )

    de_case = await on(de, de_doc)
    fr_case = await on(fr, fr_doc)
    status, r1 = await de.request(
        "POST",
        f"/api/v1/cases/{de_case['local_id']}/replies",
        token=de_doc.token,
        json={"content": "Check MEFV for FMF before calling it PFAPA."},
    )
    assert status == 201, r1
    assert r1["pending"] is True and r1["position"] is None
    status, r2 = await fr.request(
        "POST",
        f"/api/v1/cases/{fr_case['local_id']}/replies",
        token=fr_doc.token,
        json={"content": "Tonsillectomy cured two of mine.", "anonymous": True},
    )
    assert status == 201, r2
    status, r3 = await us.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/replies",
        token=us_peer.token,
        json={"content": "Agree with the genetic test.", "in_reply_to": None},
    )
    assert status == 201, r3
    assert r3["position"] is not None

    async def settled() -> list[list[tuple[Any, ...]]] | None:
        views = []
        for node, account in ((us, author), (de, de_doc), (fr, fr_doc)):
            body = await detail(node, account, case["id"])
            if (
                body is None
                or len(body["replies"]) != 3
                or any(r["pending"] for r in body["replies"])
            ):
                return None
            views.append(thread_view(body))
        return views if views[0] == views[1] == views[2] else None

    views = await eventually(settled, within=30, what="the same thread everywhere")
    positions = [row[1] for row in views[0]]
    assert positions == [1, 2, 3]
    anonymous = [row for row in views[0] if row[4]]
    assert len(anonymous) == 1 and anonymous[0][5] is None and anonymous[0][6].startswith("anon-")

    # Helpful: once per member, counted at the origin, the same everywhere.
    us_view = await detail(us, author, case["id"])
    de_reply_on_fr = next(
        r
        for r in (await detail(fr, fr_doc, case["id"]))["replies"]
        if r["content"].startswith("Check MEFV")
    )
    status, _ = await fr.request(
        "POST", f"/api/v1/replies/{de_reply_on_fr['local_id']}/helpful", token=fr_doc.token
    )
    assert status == 201
    status, problem = await fr.request(
        "POST", f"/api/v1/replies/{de_reply_on_fr['local_id']}/helpful", token=fr_doc.token
    )
    assert status == 409, problem
    de_reply_on_us = next(r for r in us_view["replies"] if r["content"].startswith("Check MEFV"))
    assert (
        await us.request(
            "POST", f"/api/v1/replies/{de_reply_on_us['local_id']}/helpful", token=author.token
        )
    )[0] == 201

    async def helpful_everywhere() -> bool:
        for node, account in ((us, author), (de, de_doc), (fr, fr_doc)):
            body = await detail(node, account, case["id"])
            assert body is not None
            counts = {r["content"][:10]: r["helpful_count"] for r in body["replies"]}
            if counts.get("Check MEFV") != 2:
                return False
        return True

    await eventually(helpful_everywhere, within=30, what="helpful totals")

    # Resolution by the author; resolved on every node.
    status, resolution = await us.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/resolution",
        token=author.token,
        json={
            "accepted_reply": de_reply_on_us["local_id"],
            "summary": "FMF confirmed by MEFV.",
            "found_what_needed": True,
        },
    )
    assert status == 201, resolution
    assert (
        await us.request(
            "POST",
            f"/api/v1/cases/{case['local_id']}/resolution",
            token=author.token,
            json={
                "accepted_reply": de_reply_on_us["local_id"],
                "summary": "again",
                "found_what_needed": True,
            },
        )
    )[0] == 409

    async def resolved_everywhere() -> bool:
        for node, account in ((de, de_doc), (fr, fr_doc)):
            body = await detail(node, account, case["id"])
            if (
                body is None
                or body["status"] != "resolved"
                or body["resolution"]["summary"] != "FMF confirmed by MEFV."
            ):
                return False
            accepted = next(
                r for r in body["replies"] if r["local_id"] == body["resolution"]["accepted_reply"]
            )
            assert accepted["content"].startswith("Check MEFV")
        return True

    await eventually(resolved_everywhere, within=30, what="resolution everywhere")


async def test_poll_votes_once_per_member_results_hidden_until_voted(
    trio: tuple[TestNode, TestNode, TestNode],
) -> None:
    us, de, fr = trio
    author = await us.add_member()
    de_doc = await de.add_member()
    de_other = await de.add_member()
    fr_doc = await fr.add_member()
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    closes = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    status, poll = await us.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/poll",
        token=author.token,
        json={"question": "Diagnosis?", "options": ["PFAPA", "FMF", "Other"], "closes_at": closes},
    )
    assert status == 201, poll
    assert (
        await de.request(
            "POST",
            f"/api/v1/cases/{case['local_id']}/poll",
            token=de_doc.token,
            json={"question": "x", "options": ["a", "b"], "closes_at": closes},
        )
    )[0] in (403, 404)

    async def poll_on(node: TestNode, account: Account) -> dict[str, Any] | None:
        body = await detail(node, account, case["id"])
        return body if body and body["poll"] else None

    de_case = await eventually(lambda: poll_on(de, de_doc), what="poll on DE")
    assert all(
        option["votes"] is None for option in de_case["poll"]["options"]
    )  # hidden before voting
    await eventually(lambda: poll_on(fr, fr_doc), what="poll on FR")
    fr_case = await detail(fr, fr_doc, case["id"])
    assert fr_case is not None
    assert (
        await de.request(
            "POST",
            f"/api/v1/cases/{de_case['local_id']}/poll/votes",
            token=de_doc.token,
            json={"choices": [1]},
        )
    )[0] == 201
    status, problem = await de.request(
        "POST",
        f"/api/v1/cases/{de_case['local_id']}/poll/votes",
        token=de_doc.token,
        json={"choices": [0]},
    )
    assert status == 409, problem
    assert (
        await de.request(
            "POST",
            f"/api/v1/cases/{de_case['local_id']}/poll/votes",
            token=de_other.token,
            json={"choices": [0, 1]},
        )
    )[0] == 422  # single choice poll
    assert (
        await de.request(
            "POST",
            f"/api/v1/cases/{de_case['local_id']}/poll/votes",
            token=de_other.token,
            json={"choices": [7]},
        )
    )[0] == 422
    assert (
        await fr.request(
            "POST",
            f"/api/v1/cases/{fr_case['local_id']}/poll/votes",
            token=fr_doc.token,
            json={"choices": [1]},
        )
    )[0] == 201
    assert (
        await us.request(
            "POST",
            f"/api/v1/cases/{case['local_id']}/poll/votes",
            token=author.token,
            json={"choices": [0]},
        )
    )[0] == 201

    async def tallied() -> bool:
        for node, account in ((us, author), (de, de_doc), (fr, fr_doc)):
            body = await detail(node, account, case["id"])
            if body is None or body["poll"]["voters_count"] != 3:
                return False
            assert [o["votes"] for o in body["poll"]["options"]] == [1, 2, 0]
        return True

    await eventually(tallied, within=30, what="tallies everywhere")
    other_view = await detail(de, de_other, case["id"])
    assert other_view is not None and all(o["votes"] is None for o in other_view["poll"]["options"])

    # Lists carry the poll too, as each member sees it (the contract's CASE).
    _, plain = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)

    async def listed(account: Account) -> dict[str, Any] | None:
        _, listing = await de.request("GET", "/api/v1/cases", token=account.token)
        items = {item["id"]: item for item in listing["items"]}
        return items if plain["id"] in items else None

    items = await eventually(lambda: listed(de_doc), what="both cases listed on DE")
    assert items[plain["id"]]["poll"] is None
    assert items[case["id"]]["poll"]["voters_count"] == 3
    assert [o["votes"] for o in items[case["id"]]["poll"]["options"]] == [1, 2, 0]
    items = await eventually(lambda: listed(de_other), what="both cases listed for another")
    assert [o["votes"] for o in items[case["id"]]["poll"]["options"]] == [None, None, None]
    # So do search results and the case an edit answers with.
    _, found = await de.request(
        "GET", "/api/v1/search", token=de_doc.token, params={"q": "toddler fevers"}
    )
    polls = {hit["case"]["id"]: hit["case"]["poll"] for hit in found["items"]}
    assert polls[plain["id"]] is None and polls[case["id"]]["voters_count"] == 3
    status, edited = await us.request(
        "PATCH",
        f"/api/v1/cases/{case['local_id']}",
        token=author.token,
        json={"question": "PFAPA, FMF or something else?"},
    )
    assert status == 200, edited
    assert [o["votes"] for o in edited["poll"]["options"]] == [1, 2, 0]


async def test_views_are_counted_per_node_and_summed_at_the_origin(
    trio: tuple[TestNode, TestNode, TestNode],
) -> None:
    us, de, fr = trio
    author = await us.add_member()
    readers = [await de.add_member() for _ in range(3)] + [await fr.add_member() for _ in range(2)]
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    for reader in readers:
        node = de if reader.email.endswith("de.test") else fr
        await eventually(lambda n=node, r=reader: detail(n, r, case["id"]), what="case arrives")
        await detail(node, reader, case["id"])  # a second look by the same member counts once

    async def total() -> bool:
        body = await detail(us, author, case["id"])
        return body is not None and body["network_view_count"] == 6

    await eventually(total, within=30, what="the network total at the origin")
    de_view = await detail(de, readers[0], case["id"])
    assert de_view is not None and de_view["view_count"] == 3

    async def all_told() -> bool:
        # Once announced (origin) or reported (elsewhere), a case leaves the view
        # reporter's index: it stays small however many cases were ever viewed.
        for node in trio:
            async with node.state.db.read() as session:
                if await session.scalar(select(func.count()).where(Case.views_dirty.is_(True))):
                    return False
        return True

    await eventually(all_told, within=30, what="every view reported or announced")


async def test_deletes_win_everywhere(trio: tuple[TestNode, TestNode, TestNode]) -> None:
    us, de, fr = trio
    author = await us.add_member()
    de_doc = await de.add_member()
    fr_doc = await fr.add_member()
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    de_case = await eventually(lambda: detail(de, de_doc, case["id"]), what="case on DE")
    _, reply = await de.request(
        "POST",
        f"/api/v1/cases/{de_case['local_id']}/replies",
        token=de_doc.token,
        json={"content": "I will retract this."},
    )

    async def reply_on_fr() -> bool:
        body = await detail(fr, fr_doc, case["id"])
        return body is not None and len(body["replies"]) == 1

    await eventually(reply_on_fr, within=30, what="reply relayed to FR")
    assert (await fr.request("DELETE", f"/api/v1/replies/{reply['local_id']}", token=fr_doc.token))[
        0
    ] == 404
    assert (await de.request("DELETE", f"/api/v1/replies/{reply['local_id']}", token=de_doc.token))[
        0
    ] == 204

    async def reply_gone() -> bool:
        body = await detail(fr, fr_doc, case["id"])
        us_body = await detail(us, author, case["id"])
        return (
            body is not None
            and body["replies"] == []
            and us_body is not None
            and us_body["replies"] == []
        )

    await eventually(reply_gone, within=30, what="reply deleted everywhere")
    assert (await de.request("DELETE", f"/api/v1/cases/{de_case['local_id']}", token=de_doc.token))[
        0
    ] == 403
    assert (await us.request("DELETE", f"/api/v1/cases/{case['local_id']}", token=author.token))[
        0
    ] == 204

    async def case_gone() -> bool:
        return (
            await detail(de, de_doc, case["id"]) is None
            and await detail(fr, fr_doc, case["id"]) is None
        )

    await eventually(case_gone, within=30, what="case deleted everywhere")
    status, _ = await de.request(
        "POST",
        f"/api/v1/cases/{de_case['local_id']}/replies",
        token=de_doc.token,
        json={"content": "too late"},
    )
    assert status == 404
