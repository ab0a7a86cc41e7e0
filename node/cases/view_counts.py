"""View counts: each node counts its members' views; the origin sums the network's.

Views are frequent, so they are batched: every ``view_report_seconds`` a node tells
each case's origin its current count for that case (a ``View`` activity with
``viewCount``), and an origin whose totals changed publishes the thread state once.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Select, select

from node.cases.activities import CONTEXT, new_activity_id
from node.cases.locking import ROW_LOCK
from node.cases.models import Case
from node.cases.threads import publish_thread_state
from node.outbox.publish import publish
from node.state import NodeState

BATCH = 200
# The cases are locked as they are read, skipping any another transaction holds: the
# next round reports those. Publishing takes the outbox's append lock, and a reply
# being posted holds its case's row and then asks for that lock; had this round
# published first and then waited for such a row (to write what it reported),
# PostgreSQL would have found the two waiting for each other and aborted one.
SKIP_BUSY_CASES = {**ROW_LOCK, "skip_locked": True}


# Built once; both are answered from the partial index of dirty cases (models.py),
# not a scan of every case. Locked as read, skipping busy cases (see above).
def _dirty(*, local: bool) -> Select[Case]:
    return (
        select(Case)
        .where(Case.is_local.is_(local), Case.views_dirty.is_(True))
        .order_by(Case.id)
        .limit(BATCH)
        .with_for_update(**SKIP_BUSY_CASES)
    )


DIRTY_CASES = _dirty(local=True)  # views to announce, at the origin
UNREPORTED_CASES = _dirty(local=False)  # views to report to the origin


async def report_views(state: NodeState) -> int:
    """One round of view reports and total updates; returns how many were sent."""
    base_url = state.config.base_url
    sent = 0
    async with state.db.write() as session:
        dirty = (await session.scalars(DIRTY_CASES)).all()
        for case in dirty:
            case.views_dirty = False
            await publish_thread_state(session, state, case)
            sent += 1
        unreported = (await session.scalars(UNREPORTED_CASES)).all()
        for case in unreported:
            await publish(
                session,
                {
                    "@context": CONTEXT,
                    "id": new_activity_id(base_url),
                    "type": "View",
                    "actor": f"{base_url}/actor",
                    "object": case.iri,
                    "viewCount": case.local_view_count,
                },
                recipient=case.origin,
            )
            case.reported_view_count = case.local_view_count
            case.views_dirty = False
            sent += 1
    if sent:
        state.federation.delivery_due()
    return sent


async def view_reporter(state: NodeState) -> None:
    while True:
        await asyncio.sleep(state.config.view_report_seconds)
        await report_views(state)
