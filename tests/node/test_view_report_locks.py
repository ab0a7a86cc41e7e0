"""The view reporter and a reply being posted never wait for each other.

Posting a reply locks its case's row, then takes the outbox's append lock to publish.
The reporter used to publish first (append lock) and then wait for the case row to
write what it reported: on PostgreSQL the two then waited for each other, and the
deadlock detector aborted one, which could be the member's reply (a 500). Seen as a
rare failure of the multi-node thread tests under load.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from node.cases.locking import ROW_LOCK
from node.cases.models import Case
from node.cases.view_counts import report_views
from node.outbox.models import OutboxEntry
from node.outbox.publish import publish
from tests.node.notifications.support import local_id_on
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork

pytestmark = pytest.mark.postgres_only  # SQLite has one writer: nothing to interleave


async def test_a_view_report_does_not_deadlock_with_a_reply_being_posted(
    network: NodeNetwork,
) -> None:
    us = await network.spawn("US")
    # The reporter runs only when the test calls it.
    de = await network.spawn("DE", view_report_seconds=3600)
    await network.mesh(us, de)
    author, reader = await us.add_member(), await de.add_member()
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)

    local_id = await local_id_on(de, reader, case["id"])
    status, _ = await de.request("GET", f"/api/v1/cases/{local_id}", token=reader.token)
    assert status == 200  # a view to report
    db = de.state.db
    async with db.write() as posting:  # what posting a reply does, step by step
        await posting.execute(
            select(Case.id).where(Case.iri == case["id"]).with_for_update(**ROW_LOCK)
        )
        # Before the fix the reporter published, then waited here for the case row
        # (and the publish below would have completed the deadlock).
        sent = await asyncio.wait_for(report_views(de.state), 10)
        assert sent == 0  # the case was busy: left for the next round
        activity = {"id": f"{de.base_url}/activities/test-reply", "type": "Create"}
        await publish(posting, activity, recipient=us.base_url)
    assert await report_views(de.state) == 1
    async with db.read() as session:
        types = list(await session.scalars(select(OutboxEntry.activity_type)))
    assert types.count("View") == 1 and "Create" in types
