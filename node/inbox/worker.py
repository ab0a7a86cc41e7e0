"""The worker that applies stored activities, oldest first.

Each activity is applied inside a savepoint of a batch transaction: a handler that
fails rolls back only its own changes and the activity is retried later (a reply can
arrive before its case; the retry finds the case). On PostgreSQL the batch is claimed
with ``FOR UPDATE SKIP LOCKED``, so several node processes share the work without
applying anything twice.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import select, update

from federation.inbound.registry import Envelope, HandlerRegistry
from node.db.types import utcnow
from node.inbox.context import ApplyContext
from node.inbox.models import InboxEntry
from node.network.waiting import nap
from node.state import NodeState

BATCH = 50
MAX_ATTEMPTS = 12  # about 1.5 hours of retries with the schedule below
POLL_SECONDS = 2.0


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 2**attempts))


class InboxWorker:
    def __init__(self, state: NodeState, registry: HandlerRegistry[ApplyContext]) -> None:
        self.state = state
        self.registry = registry
        self.wake = asyncio.Event()

    async def run(self) -> None:
        while True:
            applied = await self.apply_batch()
            if applied < BATCH:
                await nap(self.wake, POLL_SECONDS)

    async def apply_batch(self) -> int:
        now = utcnow()
        async with self.state.db.write() as session:
            rows = (
                await session.scalars(
                    select(InboxEntry)
                    .where(InboxEntry.state == "pending", InboxEntry.next_attempt_at <= now)
                    .order_by(InboxEntry.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            applied: list[int] = []
            for row in rows:
                envelope = Envelope(
                    activity=json.loads(row.activity),
                    signer_origin=row.signer_origin,
                    key_id=row.key_id,
                    raw=json.loads(row.raw),
                )
                context = ApplyContext(session=session, state=self.state)
                try:
                    async with session.begin_nested():
                        handler = self.registry.find(envelope.activity)
                        await handler.receive(envelope, context)
                except Exception as error:  # the worker boundary: record, retry later
                    self._failed(row, error)
                    continue
                applied.append(row.id)
            if applied:
                # One statement for the batch rather than one per row.
                await session.execute(
                    update(InboxEntry)
                    .where(InboxEntry.id.in_(applied))
                    .values(state="applied", applied_at=utcnow(), last_error=None)
                    .execution_options(synchronize_session=False)
                )
        return len(rows)

    def _failed(self, row: InboxEntry, error: Exception) -> None:
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        if row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
        row.next_attempt_at = utcnow() + retry_delay(row.attempts)
        self.state.log.warning(
            "applying an activity failed",
            extra={"activity": row.activity_id, "attempt": row.attempts, "error": row.last_error},
            exc_info=error if row.attempts == 1 else None,
        )
