"""Per-peer delivery: in order, with backoff, surviving restarts of either side.

For each peer a ``deliveries`` row says what was delivered last and when to try next.
A worker claims due peers with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several processes can share the peers), then drains one peer's backlog in ``seq``
order: a success moves the pointer, a permanent refusal is logged and skipped, and
anything else stops that peer until the next attempt time (policy in
federation.delivery.policy). The pointer only moves after the peer said 2xx, and is
written once per batch of up to PREFETCH successes (or every SAVE_SECONDS) rather
than once per activity: a crash re-sends at most that batch, which the receiver
ignores by the activities' ids.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Exists, Select, and_, bindparam, exists, or_, select, update

from federation.delivery.outcome import Outcome, Verdict
from federation.delivery.policy import RetryPolicy
from federation.transport import SigningKey, post_activity
from node.db.types import utcnow
from node.network.waiting import nap
from node.outbox.models import Delivery, DeliveryFailure, OutboxEntry, waiting_for
from node.peers.models import Peer
from node.state import NodeState

LEASE = timedelta(seconds=30)
POLL_SECONDS = 2.0
# Peers delivered to at the same time; the others get a slot as soon as one frees
# (see _forget_task). More is not faster: with 30 peers the benchmark's fan-out took
# a median of 2.5 s with 16 slots, 3.9 s with 64 and 5.2 s with 8 (each delivery
# is also a database write, and on SQLite writes queue for one connection).
CONCURRENCY = 16
PREFETCH = 50  # activities read per query while draining one peer
# Successful deliveries are written down per PREFETCH batch, or after this long (well
# within LEASE, which each write renews).
SAVE_SECONDS = 5.0


@dataclass(frozen=True)
class _Progress:
    """The last delivery that succeeded and is not written down yet."""

    seq: int
    status: int | None
    at: datetime


def _moved_past(
    delivery: Delivery,
    seq: int,
    status: int | None,
    *,
    error: str | None = None,
    success_at: datetime | None = None,
) -> None:
    """The peer is done with ``seq`` (took it, or refused it for good): move on."""
    delivery.last_delivered_seq = seq
    delivery.failures = 0
    delivery.first_failure_at = None
    delivery.unreachable = False
    delivery.last_status = status
    delivery.last_error = error
    if success_at is not None:
        delivery.last_success_at = success_at


def _succeeded(delivery: Delivery, progress: _Progress) -> None:
    _moved_past(delivery, progress.seq, progress.status, success_at=progress.at)


# Built once: asked before each delivery of an entry that carries text.
WITHDRAWN_AT = select(OutboxEntry.withdrawn_at).where(OutboxEntry.seq == bindparam("seq"))


def _next_for(peer: Peer, after: int) -> Select[int]:
    """The next activity waiting for ``peer`` after ``after``, if any."""
    return select(OutboxEntry.seq).where(waiting_for(peer.origin, after)).limit(1)


def _has_pending() -> Exists:
    """Correlated with the outer query's Delivery and Peer rows."""
    return exists().where(waiting_for(Peer.origin, Delivery.last_delivered_seq))


def claimable(now: datetime, busy: list[int], limit: int) -> Select[int]:
    """Peers due for delivery with something waiting, not leased and not ``busy``."""
    return (
        select(Delivery.peer_id)
        .join(Peer, Peer.id == Delivery.peer_id)
        .where(
            Delivery.next_attempt_at <= now,
            or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
            Delivery.peer_id.not_in(busy),
            _has_pending(),
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
    )


class DeliveryWorker:
    def __init__(
        self, state: NodeState, signing_key: SigningKey, policy: RetryPolicy | None = None
    ) -> None:
        self.state = state
        self.signing_key = signing_key
        self.policy = policy or RetryPolicy()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.wake = asyncio.Event()
        self._active: dict[int, asyncio.Task[None]] = {}
        # Origins we are backing off from, so that a request from one of them (it is
        # back) can trigger an immediate retry without a database write per request.
        self._failing: set[str] = set()
        # Set when a failing peer answers again: it may have missed our pushes while
        # down and we may have missed its, so catch-up should look at once.
        self.peer_recovered = asyncio.Event()

    async def run(self) -> None:
        try:
            while True:
                await self.tick()
                await nap(self.wake, POLL_SECONDS)
        finally:
            for task in self._active.values():
                task.cancel()
            await asyncio.gather(*self._active.values(), return_exceptions=True)
            await self.release_all()

    async def tick(self) -> None:
        room = CONCURRENCY - len(self._active)
        if room <= 0:
            return
        for peer_id in await self.claim(room):
            task = asyncio.create_task(self.drain(peer_id), name=f"deliver-{peer_id}")
            self._active[peer_id] = task
            task.add_done_callback(self._forget_task)

    def _forget_task(self, task: asyncio.Task[None]) -> None:
        for peer_id, active in list(self._active.items()):
            if active is task:
                del self._active[peer_id]
        # A slot is free: peers left waiting when all were busy are due now, not at
        # the next poll.
        self.wake.set()

    async def claim(self, limit: int) -> list[int]:
        now = utcnow()
        async with self.state.db.write() as session:
            ids = list((await session.scalars(claimable(now, list(self._active), limit))).all())
            if ids:
                await session.execute(
                    update(Delivery)
                    .where(Delivery.peer_id.in_(ids))
                    .values(lease_owner=self.owner, lease_until=now + LEASE)
                )
        return ids

    async def drain(self, peer_id: int) -> None:
        while True:
            async with self.state.db.read() as session:
                row = (
                    await session.execute(
                        select(Peer, Delivery).join(Delivery).where(Peer.id == peer_id)
                    )
                ).first()
                if row is None:
                    return  # the peer was removed: stop at once
                peer, delivery = row
                if delivery.lease_owner != self.owner:
                    return
                entries = (
                    await session.scalars(
                        select(OutboxEntry)
                        .where(waiting_for(peer.origin, delivery.last_delivered_seq))
                        .order_by(OutboxEntry.seq)
                        .limit(PREFETCH)
                    )
                ).all()
            if not entries:
                await self.release(peer_id)
                return
            # A failing peer's first success is written at once (it resets the backoff
            # and tells catch-up the peer is back); after that, successes only move
            # a pointer in memory, written once per batch or every SAVE_SECONDS.
            failing = delivery.failures > 0
            progress: _Progress | None = None
            saved_at = time.monotonic()
            for entry in entries:
                if await self._withdrawn_since_read(entry):
                    continue  # deleted while this batch went out: the Delete follows
                outcome = await post_activity(
                    self.state.http, peer.inbox_url, entry.body.encode(), self.signing_key
                )
                if outcome.verdict is Verdict.DELIVERED and not failing:
                    progress = _Progress(entry.seq, outcome.status, utcnow())
                    if time.monotonic() - saved_at < SAVE_SECONDS:
                        continue
                    if not await self.save(peer, progress, release_if_done=False):
                        return
                    progress, saved_at = None, time.monotonic()
                    continue
                if not await self.record(peer, entry, outcome, progress):
                    return
                progress, saved_at, failing = None, time.monotonic(), False
            if progress is not None:
                # Fewer than PREFETCH: probably the end of the backlog, and then the
                # same transaction hands the peer back (one write, not two).
                done = len(entries) < PREFETCH
                if not await self.save(peer, progress, release_if_done=done):
                    return

    async def _withdrawn_since_read(self, entry: OutboxEntry) -> bool:
        """Whether the text this entry carries was deleted after the batch was read (a
        batch of PREFETCH can take seconds to send). Asked only of entries that carry
        text (withdraw.py), just before each is sent."""
        if entry.thread_iri is None and entry.content_iri is None:
            return False
        async with self.state.db.read() as session:
            withdrawn = await session.scalar(WITHDRAWN_AT, {"seq": entry.seq})
        return withdrawn is not None

    async def save(self, peer: Peer, progress: _Progress, *, release_if_done: bool) -> bool:
        """Write the pointer of deliveries that succeeded; True if draining goes on
        (False if the lease was lost, or, with ``release_if_done``, if nothing else
        is waiting for this peer and it was released)."""
        async with self.state.db.write() as session:
            delivery = await session.get(Delivery, peer.id)
            if delivery is None or delivery.lease_owner != self.owner:
                return False
            _succeeded(delivery, progress)
            if release_if_done and not await session.scalar(_next_for(peer, progress.seq)):
                delivery.lease_owner = None
                delivery.lease_until = None
                return False
            delivery.lease_until = utcnow() + LEASE
        return True

    async def record(
        self, peer: Peer, entry: OutboxEntry, outcome: Outcome, progress: _Progress | None = None
    ) -> bool:
        """Store the outcome (after the unsaved ``progress`` before it); True if
        draining this peer should go on."""
        now = utcnow()
        async with self.state.db.write() as session:
            delivery = await session.get(Delivery, peer.id)
            if delivery is None or delivery.lease_owner != self.owner:
                return False
            recovered = delivery.failures > 0
            if progress is not None:
                _succeeded(delivery, progress)
            if outcome.verdict is Verdict.RETRY:
                self._failed(delivery, outcome, now)
                self._failing.add(peer.origin)
                return False
            if outcome.verdict is Verdict.PERMANENT:
                session.add(
                    DeliveryFailure(
                        peer_origin=peer.origin,
                        seq=entry.seq,
                        status=outcome.status,
                        error=outcome.error,
                    )
                )
                self.state.log.warning(
                    "peer refused an activity for good",
                    extra={
                        "peer": peer.origin,
                        "activity": entry.activity_id,
                        "status": outcome.status,
                    },
                )
            _moved_past(
                delivery,
                entry.seq,
                outcome.status,
                error=outcome.error,
                success_at=now if outcome.verdict is Verdict.DELIVERED else None,
            )
            delivery.lease_until = now + LEASE
        self._failing.discard(peer.origin)
        if recovered:
            self.peer_recovered.set()
        return True

    def _failed(self, delivery: Delivery, outcome: Outcome, now: datetime) -> None:
        delivery.failures += 1
        delivery.first_failure_at = delivery.first_failure_at or now
        delivery.next_attempt_at = self.policy.next_attempt(
            now, delivery.failures, outcome.retry_after
        )
        delivery.unreachable = self.policy.is_unreachable(delivery.first_failure_at, now)
        delivery.last_status = outcome.status
        delivery.last_error = outcome.error
        delivery.lease_owner = None
        delivery.lease_until = None

    async def release(self, peer_id: int) -> None:
        async with self.state.db.write() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.peer_id == peer_id, Delivery.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )

    async def release_all(self) -> None:
        """On shutdown, hand our peers back at once instead of when the leases expire."""
        async with self.state.db.write() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )

    async def peer_is_back(self, origin: str) -> None:
        """A peer we were backing off from just talked to us: try it now."""
        if origin not in self._failing:
            return
        self._failing.discard(origin)
        async with self.state.db.write() as session:
            await session.execute(
                update(Delivery)
                .where(
                    Delivery.peer_id
                    == select(Peer.id).where(Peer.origin == origin).scalar_subquery()
                )
                .where(and_(Delivery.failures > 0, Delivery.next_attempt_at > utcnow()))
                .values(next_attempt_at=utcnow())
            )
        self.wake.set()
