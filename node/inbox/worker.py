"""The worker that applies stored activities, oldest first.

Each activity is applied inside a savepoint of a batch transaction: a handler that
fails rolls back only its own changes and the activity is retried later (a reply can
arrive before its case; the retry finds the case). On PostgreSQL the batch is claimed
with ``FOR UPDATE SKIP LOCKED``, so several node processes share the work without
applying anything twice.

Consecutive activities for a handler with ``receive_many`` (Creates of cases, which
arrive in bursts) are applied together, in one savepoint and a few statements; if
that fails, they are applied one by one as above.

An activity this process stored moments ago is taken from memory, as the store left
it (``handoff.py``); only the others are read back and parsed from their row.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from federation.inbound.errors import Unsupported
from federation.inbound.registry import ActivityHandler, BatchHandler, Envelope, HandlerRegistry
from node.db.types import utcnow
from node.inbox.context import ApplyContext
from node.inbox.forget import forget_again
from node.inbox.handoff import FreshActivities
from node.inbox.models import InboxEntry
from node.network.waiting import wait_event
from node.outbox.publish import holds_append_lock
from node.state import NodeState

BATCH = 50
# While activities stream in, the worker waits this long before its next batch (as
# the store's group commit does), so that one transaction serves dozens of them
# rather than the handful stored since the last one: each batch costs a commit (on
# SQLite also the full-text index's flush), the claim and the marking statements,
# and one round of events, whatever its size.
GATHER_SECONDS = 0.02
MAX_ATTEMPTS = 12  # about 1.5 hours of retries with the schedule below
POLL_SECONDS = 2.0


# Built once: the worker runs these for every batch. The claim leaves out the two
# JSON columns, which most rows do not need read back (see handoff.py).
DUE = (
    select(InboxEntry)
    .options(
        load_only(
            InboxEntry.activity_id,
            InboxEntry.signer_origin,
            InboxEntry.key_id,
            InboxEntry.state,
            InboxEntry.attempts,
            InboxEntry.next_attempt_at,
            InboxEntry.last_error,
        )
    )
    .where(InboxEntry.state == "pending", InboxEntry.next_attempt_at <= bindparam("now"))
    .order_by(InboxEntry.id)
    .limit(BATCH)
    .with_for_update(skip_locked=True)
)
STORED_JSON = select(InboxEntry.id, InboxEntry.activity, InboxEntry.raw).where(
    InboxEntry.id.in_(bindparam("ids", expanding=True))
)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 2**attempts))


@dataclass(frozen=True)
class _Item:
    row: InboxEntry
    envelope: Envelope
    handler: ActivityHandler[ApplyContext] | None


class InboxWorker:
    def __init__(
        self,
        state: NodeState,
        registry: HandlerRegistry[ApplyContext],
        fresh: FreshActivities,
    ) -> None:
        self.state = state
        self.registry = registry
        self._fresh = fresh  # what the store just stored (see handoff.py)
        self.wake = asyncio.Event()
        self._last_rows = 0  # claimed by the last batch

    async def run(self) -> None:
        while True:
            if await self.apply_batch():
                continue
            streaming = self._last_rows > 1
            woken = await wait_event(self.wake, POLL_SECONDS)
            self.wake.clear()
            if streaming and woken:
                # A quiet node (a batch of one, or no wake for a whole poll interval)
                # applies the next activity at once.
                await asyncio.sleep(GATHER_SECONDS)

    async def apply_batch(self) -> bool:
        """Apply the due activities, oldest first; True if more may be due now.

        On PostgreSQL the batch ends after the first activity whose handler published
        (a reply the origin relays, say): its transaction then holds the outbox's
        append lock, and applying the next activity could wait for a case row held by
        a member's request that is itself waiting for that lock, a deadlock. The rest
        stay pending for the next batch, which starts at once."""
        async with self.state.db.write() as session:
            rows = (await session.scalars(DUE, {"now": utcnow()})).all()
            self._last_rows = len(rows)
            # Entries stay in memory until applied: a batch that ends early (see above)
            # leaves the rest for the next one.
            in_memory = {row.id: self._fresh.get(row.activity_id) for row in rows}
            stored = await _stored_json(session, [i for i, found in in_memory.items() if not found])
            context = ApplyContext(session=session, state=self.state)
            applied: list[int] = []
            cut = attempted = False
            for run in self._runs(rows, in_memory, stored):
                # Only once something was attempted: a failed run that published
                # still has its first activity applied (or failed) one by one below.
                if cut := attempted and holds_append_lock(session):
                    break
                if await self._apply_run(run, context):
                    applied.extend(item.row.id for item in run)
                    attempted = True
                    continue
                for item in run:
                    if cut := attempted and holds_append_lock(session):
                        break
                    if await self._apply_one(item, context):
                        applied.append(item.row.id)
                    attempted = True
                if cut:
                    break
            if applied:
                # One statement for the batch rather than one per row.
                await session.execute(
                    update(InboxEntry)
                    .where(InboxEntry.id.in_(applied))
                    .values(state="applied", applied_at=utcnow(), last_error=None)
                    .execution_options(synchronize_session=False)
                )
                await forget_again(session)
        done = set(applied)
        self._fresh.discard(row.activity_id for row in rows if row.id in done)
        return cut or len(rows) == BATCH

    def _runs(
        self,
        rows: Sequence[InboxEntry],
        in_memory: Mapping[int, Envelope | None],
        stored: Mapping[int, tuple[str, str]],
    ) -> Iterator[list[_Item]]:
        """The rows in order, cut into runs of consecutive activities for one handler.
        Parsed as they are reached: a batch that ends early parses little more than
        it applied."""
        run: list[_Item] = []
        for row in rows:
            envelope = in_memory.get(row.id)
            if envelope is None:
                try:
                    activity, raw = stored[row.id]
                    envelope = Envelope(
                        activity=json.loads(activity),
                        signer_origin=row.signer_origin,
                        key_id=row.key_id,
                        raw=json.loads(raw),
                    )
                except ValueError as error:
                    # Stored unreadable (by an older version, or by hand): this row's
                    # failure, not the batch's, or the oldest row would stall the inbox.
                    self._failed(row, error)
                    continue
            try:
                handler: ActivityHandler[ApplyContext] | None = self.registry.find(
                    envelope.activity
                )
            except Unsupported:
                handler = None  # recorded as this row's failure when it is applied
            item = _Item(row, envelope, handler)
            if run and (handler is None or run[-1].handler is not handler):
                yield run
                run = []
            run.append(item)
        if run:
            yield run

    async def _apply_run(self, run: list[_Item], context: ApplyContext) -> bool:
        """A run of two or more activities for a handler that takes them at once, in
        one savepoint; False (nothing applied) if that is not possible or it fails,
        and the caller applies them one by one, so a bad one fails alone."""
        handler = run[0].handler
        if len(run) < 2 or not hasattr(handler, "receive_many"):
            return False
        batch_handler = cast(BatchHandler[ApplyContext], handler)
        try:
            async with context.session.begin_nested():
                await batch_handler.receive_many([item.envelope for item in run], context)
        except Exception:  # retried one by one, where each failure is recorded
            return False
        return True

    async def _apply_one(self, item: _Item, context: ApplyContext) -> bool:
        try:
            async with context.session.begin_nested():
                handler = item.handler or self.registry.find(item.envelope.activity)
                await handler.receive(item.envelope, context)
        except Exception as error:  # the worker boundary: record, retry later
            self._failed(item.row, error)
            return False
        return True

    def _failed(self, row: InboxEntry, error: Exception) -> None:
        self._fresh.discard([row.activity_id])  # its retry reads the row
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


async def _stored_json(session: AsyncSession, ids: list[int]) -> dict[int, tuple[str, str]]:
    """The activity and raw JSON of rows not found in memory, by row id."""
    if not ids:
        return {}
    rows = await session.execute(STORED_JSON, {"ids": ids})
    return {row_id: (activity, raw) for row_id, activity, raw in rows}
