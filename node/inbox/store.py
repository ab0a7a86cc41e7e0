"""Storing accepted activities: confirmation of the key, replay check and insert.

Inbox POSTs that arrive together are stored together (group commit): each request
queues its activity and waits; one flusher writes everything queued in a single
transaction — confirm the signing keys, record the signatures, insert the activities —
and only then answers each waiting request. Under load that is one transaction for
dozens of POSTs instead of one each (on SQLite every write transaction queues for
the one writer connection); when a POST arrives alone, it is a batch of one and waits
for nothing. A refusal (a replayed signature, a key no longer trusted) concerns its
own request only, and if the batch transaction fails as a whole, each activity is
retried in a transaction of its own, so that one bad activity spoils nothing for the
others.

Under load the flusher waits ``GATHER_SECONDS`` before writing (as PostgreSQL's
``commit_delay`` does), so that the POSTs being verified meanwhile join the batch: a
peer sending a burst over 16 connections then costs a transaction per dozen
activities instead of one per two or three. "Under load" means the last batch held
more than one POST; after a batch of one (a quiet node) the next is written at once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation.inbound.errors import Unauthenticated
from federation.inbound.pipeline import Accepted
from federation.inbound.registry import Envelope
from node.db.engine import Database
from node.db.types import utcnow
from node.db.upsert import insert_new
from node.inbox.handoff import FreshActivities
from node.inbox.models import InboxEntry, SeenSignature
from node.outbox.carried import carried
from node.peers.keys import CachedPeerKeys, KeyIdentity, confirmed_keys, key_identity
from node.peers.models import Peer

# Writing last_seen_at on every request would make each inbox POST two writes.
SEEN_RESOLUTION = timedelta(minutes=1)
NEVER = datetime.min.replace(tzinfo=UTC)
# POSTs stored per transaction at most; SQLite allows 32,766 bound parameters per
# statement, and an inbox row takes seven.
MAX_BATCH = 200
# How long a batch gathers under load; each waiting POST's 202 is that much later.
GATHER_SECONDS = 0.005

NOT_A_PEER = "the signing key does not belong to a peer of this node"
REPLAY = "this exact signed request was already received (replay)"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class _Waiting:
    accepted: Accepted
    outcome: asyncio.Future[bool]


class InboxStore:
    """The group-committing store behind ``POST /inbox`` (one per running node)."""

    def __init__(self, db: Database, keys: CachedPeerKeys, fresh: FreshActivities) -> None:
        self._db = db
        self._keys = keys
        self._fresh = fresh  # what was stored, for the worker (see handoff.py)
        self._queue: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        self._busy = False  # the last batch held more than one POST
        # When this process last wrote each peer's last_seen_at: a peer that sends a
        # stream is marked once a minute, not asked about in every batch.
        self._seen_marked: dict[str, datetime] = {}

    async def store(self, accepted: Accepted) -> bool:
        """Store an accepted POST; True if its activity was new, False for a known
        activity id. Returns once committed. Raises Unauthenticated for a replayed
        signature or a key that is no longer a peer's (then nothing is stored)."""
        waiting = _Waiting(accepted, asyncio.get_running_loop().create_future())
        self._queue.append(waiting)
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush())
        # Shielded: a sender that hangs up does not cancel the others' batch.
        return await asyncio.shield(waiting.outcome)

    async def close(self) -> None:
        """Let the batch being written finish (at shutdown): its senders get answers."""
        if self._flusher is not None:
            await asyncio.shield(self._flusher)

    async def _flush(self) -> None:
        batch: list[_Waiting] = []
        try:
            if self._busy and len(self._queue) < MAX_BATCH:
                await asyncio.sleep(GATHER_SECONDS)
            while self._queue:
                self._busy = len(self._queue) > 1
                batch = self._queue[:MAX_BATCH]
                del self._queue[:MAX_BATCH]
                await self._store_batch(batch)
                batch = []
        finally:
            self._flusher = None
            # Only if cancelled (the loop is going away): nobody may wait forever. The
            # sender of an unanswered request retries it; a stored id is stored once.
            for waiting in [*batch, *self._queue]:
                _settle(waiting, ConnectionAbortedError("the node is stopping"))
            self._queue.clear()

    async def _store_batch(self, batch: list[_Waiting]) -> None:
        try:
            outcomes = await self._write(batch)
        except Exception as error:  # the batch's boundary: retried one by one below
            if len(batch) == 1:
                _settle(batch[0], error)
                return
            for waiting in batch:
                try:
                    [outcome] = await self._write([waiting])
                except Exception as single_error:  # this request's own failure: its 500
                    outcome = single_error
                _settle(waiting, outcome)
            return
        for waiting, outcome in zip(batch, outcomes, strict=True):
            _settle(waiting, outcome)

    async def _write(self, batch: Sequence[_Waiting]) -> list[bool | Exception]:
        outcomes: list[bool | Exception] = [False] * len(batch)
        now = utcnow()
        new: list[Envelope] = []
        try:
            await self._write_in_transaction(batch, outcomes, new, now)
        except BaseException:
            # Not committed: nothing of it may be applied from memory.
            self._fresh.discard(envelope.id for envelope in new)
            raise
        return outcomes

    async def _write_in_transaction(
        self,
        batch: Sequence[_Waiting],
        outcomes: list[bool | Exception],
        new: list[Envelope],
        now: datetime,
    ) -> None:
        async with self._db.write() as session:
            current = await confirmed_keys(session, (w.accepted.envelope.key_id for w in batch))
            # Keys first: a signature is only recorded for a request we would store.
            signed: dict[str, int] = {}  # fingerprint -> index of its first request
            for index, waiting in enumerate(batch):
                if not _still_trusted(waiting.accepted, current):
                    self._keys.forget(waiting.accepted.envelope.key_id)
                    outcomes[index] = Unauthenticated(NOT_A_PEER)
                    continue
                fingerprint = waiting.accepted.signature_fingerprint.hex()
                if fingerprint in signed:  # the same signed request twice at once
                    outcomes[index] = Unauthenticated(REPLAY)
                    continue
                signed[fingerprint] = index
            fresh = await _record_signatures(
                session,
                [(fp, batch[i].accepted.remember_until) for fp, i in signed.items()],
            )
            accepted: list[int] = []
            for fingerprint, index in signed.items():
                if fingerprint in fresh:
                    accepted.append(index)
                else:
                    outcomes[index] = Unauthenticated(REPLAY)
            envelopes = [batch[i].accepted.envelope for i in accepted]
            stored = await insert_entries(session, envelopes)
            for index in accepted:
                envelope = batch[index].accepted.envelope
                # A known id, or the same activity twice in this batch: stored once.
                outcomes[index] = envelope.id in stored
                if outcomes[index]:
                    new.append(envelope)
                stored.discard(envelope.id)
            unmarked = {
                envelope.signer_origin
                for envelope in envelopes
                if now - self._seen_marked.get(envelope.signer_origin, NEVER) >= SEEN_RESOLUTION
            }
            await _mark_seen(session, unmarked, now)
            # Handed over before the commit, not after it: leaving the transaction
            # (the commit, closing the session) can let other tasks run once the rows
            # are visible, the worker among them, which then read them back. The worker
            # only takes the entry of a row it claimed, so no entry is used before its
            # row is committed; if the commit fails, _write takes them back.
            self._fresh.put(new)
        self._seen_marked.update(dict.fromkeys(unmarked, now))


def _settle(waiting: _Waiting, outcome: bool | BaseException) -> None:
    if waiting.outcome.done():
        return
    if isinstance(outcome, BaseException):
        waiting.outcome.set_exception(outcome)
    else:
        waiting.outcome.set_result(outcome)


def _still_trusted(accepted: Accepted, current: set[KeyIdentity]) -> bool:
    if accepted.key is not None:
        return key_identity(accepted.key) in current
    envelope = accepted.envelope
    return any(
        key_id == envelope.key_id and origin == envelope.signer_origin
        for key_id, origin, _ in current
    )


async def _record_signatures(session: AsyncSession, signatures: list[tuple[str, Any]]) -> set[str]:
    """Insert the fingerprints; the ones that were not there yet (not replays)."""
    rows = [{"fingerprint": fp, "expires_at": until} for fp, until in signatures]
    return await insert_new(session, SeenSignature, rows, "fingerprint")


async def insert_entries(session: AsyncSession, envelopes: Iterable[Envelope]) -> set[str]:
    """Insert activities not stored yet (ids are unique); the ids that were new."""
    now = utcnow()
    rows: dict[str, dict[str, Any]] = {}
    for envelope in envelopes:
        if envelope.id in rows:
            continue  # the first of two with one id is the one stored
        thread_iri, content_iri = carried(envelope.activity)
        rows[envelope.id] = {
            "activity_id": envelope.id,
            "signer_origin": envelope.signer_origin,
            "key_id": envelope.key_id,
            "activity": _dumps(envelope.activity),
            "raw": envelope.raw_json or _dumps(envelope.raw),
            "received_at": now,
            "next_attempt_at": now,
            "thread_iri": thread_iri,
            "content_iri": content_iri,
        }
    return await insert_new(session, InboxEntry, list(rows.values()), "activity_id")


async def _mark_seen(session: AsyncSession, origins: set[str], now: datetime) -> None:
    if not origins:
        return
    await session.execute(
        update(Peer)
        .where(Peer.origin.in_(sorted(origins)))
        .where(or_(Peer.last_seen_at.is_(None), Peer.last_seen_at < now - SEEN_RESOLUTION))
        .values(last_seen_at=now)
    )


async def store_pulled(db: Database, envelopes: Sequence[Envelope]) -> int:
    """Store activities read from a peer's outbox during catch-up (a page of them, in
    one transaction); how many were new."""
    if not envelopes:
        return 0
    async with db.write() as session:
        return len(await insert_entries(session, envelopes))


async def forget_expired_signatures(db: Database) -> int:
    async with db.write() as session:
        result = await session.execute(
            delete(SeenSignature).where(SeenSignature.expires_at < utcnow())
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
