"""The inbox worker never waits for a case row while it holds the outbox's append lock.

A thread's origin applies a reply from a peer by locking the case, storing the reply
and publishing its relay, which takes the append lock until the transaction ends. The
worker used to go on to the next activity of its batch in that same transaction; if
that was a reply to another case whose row a member's request held, while that
request waited for the append lock to publish, PostgreSQL found a deadlock and
aborted one of them: the member's reply (a 500) or the relay (retried later).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from node.cases.locking import ROW_LOCK
from node.cases.models import Case
from node.inbox.models import InboxEntry
from node.outbox.publish import publish
from tests.node.notifications.support import local_id_on
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually

pytestmark = pytest.mark.postgres_only  # SQLite has one writer: nothing to interleave


async def _pending(node: TestNode) -> int:
    async with node.state.db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(InboxEntry).where(InboxEntry.state == "pending")
        )
    return int(count or 0)


async def test_a_batch_ends_once_it_holds_the_append_lock(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author, doctor = await us.add_member(), await de.add_member()
    cases: list[dict[str, Any]] = []
    for title in ("First case", "Second case"):
        _, case = await us.request(
            "POST", "/api/v1/cases", token=author.token, json={**CASE, "title": title}
        )
        cases.append(case)
    on_de = [await local_id_on(de, doctor, case["id"]) for case in cases]
    # From here on the test applies the origin's inbox itself, one batch at a time.
    federation = us.state.runtime
    [inbox_task] = [t for t in federation.tasks if t.get_name().endswith(" inbox")]
    inbox_task.cancel()
    await asyncio.gather(inbox_task, return_exceptions=True)
    for local_id in on_de:  # a reply to each case, sent to the origin in this order
        status, _ = await de.request(
            "POST",
            f"/api/v1/cases/{local_id}/replies",
            token=doctor.token,
            json={"content": "Consider familial Mediterranean fever."},
        )
        assert status == 201

    async def both_at_origin() -> bool:
        return await _pending(us) == 2

    await eventually(both_at_origin, what="both replies at the origin")

    worker = federation.inbox_worker
    async with us.state.db.write() as member_request:  # a member replying to the second case
        await member_request.execute(
            select(Case.id).where(Case.iri == cases[1]["id"]).with_for_update(**ROW_LOCK)
        )
        # Before the fix the batch relayed the first reply, then waited here for the
        # second case's row, holding the append lock the publish below needs.
        more = await asyncio.wait_for(worker.apply_batch(), 10)
        assert more is True  # ended after the first reply: the second is due
        reply = {"id": f"{us.base_url}/activities/member-reply", "type": "Create"}
        await publish(member_request, reply)
    assert await _pending(us) == 1
    assert await worker.apply_batch() is False
    async with us.state.db.read() as session:
        rows = (await session.scalars(select(InboxEntry))).all()
    assert [(row.state, row.attempts) for row in rows if row.last_error or row.attempts] == []
    assert await _pending(us) == 0
