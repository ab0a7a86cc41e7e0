"""Catch-up: pull what we missed from each peer's outbox.

Runs at start-up (a node that was down), when a peer is added (a node that joins
late), when a failing peer answers again, and every few minutes as a safety net.

Each pulled activity goes through the same checks as a pushed one (except the HTTP
signature: the page itself came from a signed request to that peer) and is stored
the same way, so anything already received is skipped by its id.

A peer we added may not have added us yet: its outbox answers 401 until it does. The
moment it does is usually the moment it starts talking to us (it pulls our outbox,
or pushes to our inbox), so a signed request from a peer that refused us wakes
catch-up (``peer_spoke``); in case it only adds us and stays quiet, a refused peer is
also asked again after short pauses for a few minutes before the usual interval.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from sqlalchemy import select

from federation.inbound.errors import InboundRejected
from federation.inbound.pipeline import InboundPipeline
from federation.jsonld import as_list
from federation.origin import same_origin
from federation.transport import FetchError, SigningKey, get_json
from node.db.types import utcnow
from node.inbox.context import ApplyContext
from node.inbox.models import InboxEntry
from node.inbox.store import store_pulled
from node.network.waiting import nap
from node.peers.models import Peer
from node.state import NodeState

INTERVAL_SECONDS = 300.0
STARTUP_DELAY_SECONDS = 1.0
MAX_PAGES_PER_RUN = 200
PAGE_MAX_BYTES = 4 * 1024 * 1024
# Pauses before asking a peer that refused us (401/403) again: about four minutes in
# all, after which the usual interval applies.
REFUSED_RETRY_SECONDS = (2.0, 5.0, 10.0, 20.0, 40.0, 80.0, 120.0)
# A refused peer's requests wake catch-up at most this often (it may keep refusing).
REFUSED_WAKE_GAP_SECONDS = 2.0


@dataclass
class _Refusal:
    count: int  # refusals in a row
    at: float  # time.monotonic() of the last one


@dataclass(frozen=True)
class PeerCursor:
    id: int
    origin: str
    key_id: str
    outbox_url: str | None
    next_url: str | None


class CatchUp:
    def __init__(
        self,
        state: NodeState,
        pipeline: InboundPipeline[ApplyContext],
        signing_key: SigningKey,
        inbox_wake: asyncio.Event,
    ) -> None:
        self.state = state
        self.pipeline = pipeline
        self.signing_key = signing_key
        self.inbox_wake = inbox_wake
        self.wake = asyncio.Event()
        # Peers whose outbox refused us last time, by origin.
        self._refused: dict[str, _Refusal] = {}

    async def run(self) -> None:
        # Workers start before the node listens; give it a moment, because a peer
        # that must refetch our actor (say after a key rotation) needs us reachable.
        await asyncio.sleep(STARTUP_DELAY_SECONDS)
        while True:
            self.wake.clear()
            await self.pull_all()
            await nap(self.wake, self._pause())

    def refused(self) -> set[str]:
        """Origins of the peers whose outbox refused us on the last try."""
        return set(self._refused)

    def peer_spoke(self, origin: str) -> None:
        """A signed request from ``origin`` was accepted here. If its outbox refused
        us, it has probably just added us: pull now."""
        refusal = self._refused.get(origin)
        if refusal is not None and time.monotonic() - refusal.at >= REFUSED_WAKE_GAP_SECONDS:
            refusal.at = time.monotonic()  # one wake per gap, however chatty
            self.wake.set()

    def _pause(self) -> float:
        retries = [
            REFUSED_RETRY_SECONDS[refusal.count - 1]
            for refusal in self._refused.values()
            if refusal.count <= len(REFUSED_RETRY_SECONDS)
        ]
        return min([INTERVAL_SECONDS, *retries])

    async def pull_all(self) -> int:
        async with self.state.db.read() as session:
            peers = [
                PeerCursor(p.id, p.origin, p.key_id, p.outbox_url, p.catchup_next)
                for p in (await session.scalars(select(Peer).order_by(Peer.id))).all()
            ]
        # A removed peer is asked nothing more.
        origins = {peer.origin for peer in peers}
        self._refused = {o: r for o, r in self._refused.items() if o in origins}
        total = 0
        for peer in peers:
            try:
                total += await self.pull(peer)
            except Exception:  # one peer's failure is its own: the others still pull
                # A page that trips a bug here fails the same way on every run; without
                # this, every peer after it in the list would never be pulled again.
                self.state.log.exception("catch-up failed for a peer", extra={"peer": peer.origin})
        return total

    async def pull(self, peer: PeerCursor) -> int:
        """Read the peer's outbox from our cursor on; returns how many were new."""
        if peer.outbox_url is None:
            return 0
        url = peer.next_url or f"{peer.outbox_url}?after=0"
        stored = 0
        for _ in range(MAX_PAGES_PER_RUN):
            try:
                page = await get_json(
                    self.state.http, url, self.signing_key, max_bytes=PAGE_MAX_BYTES
                )
            except FetchError as error:
                # Down, or has not added us yet (401): the next run will try again.
                self.state.log.info(
                    "catch-up paused", extra={"peer": peer.origin, "error": str(error)}
                )
                if error.status in (401, 403):
                    earlier = self._refused.get(peer.origin)
                    count = earlier.count + 1 if earlier is not None else 1
                    self._refused[peer.origin] = _Refusal(count, time.monotonic())
                break
            self._refused.pop(peer.origin, None)
            if not isinstance(page, dict) or not same_origin(str(page.get("id", "")), peer.origin):
                self.state.log.warning("catch-up got a malformed page", extra={"peer": peer.origin})
                break
            items = as_list(page.get("orderedItems"))
            stored += await self._store_items(peer, items)
            next_url = page.get("next")
            if not items or not isinstance(next_url, str) or not same_origin(next_url, peer.origin):
                break
            await self._save_cursor(peer.id, next_url)
            url = next_url
        if stored:
            self.inbox_wake.set()
        return stored

    async def _store_items(self, peer: PeerCursor, items: list[object]) -> int:
        ids = [item.get("id") for item in items if isinstance(item, dict)]
        async with self.state.db.read() as session:
            known = set(
                (
                    await session.scalars(
                        select(InboxEntry.activity_id).where(InboxEntry.activity_id.in_(ids))
                    )
                ).all()
            )
        envelopes = []
        for item in items:
            if not isinstance(item, dict) or item.get("id") in known:
                continue
            try:
                envelopes.append(
                    await self.pipeline.accept_document(
                        item, signer_origin=peer.origin, key_id=peer.key_id
                    )
                )
            except InboundRejected as error:
                self.state.log.warning(
                    "catch-up skipped an activity",
                    extra={
                        "peer": peer.origin,
                        "activity": str(item.get("id"))[:200],
                        "reason": error.detail,
                    },
                )
        # The whole page in one transaction.
        return await store_pulled(self.state.db, envelopes)

    async def _save_cursor(self, peer_id: int, next_url: str) -> None:
        async with self.state.db.write() as session:
            peer = await session.get(Peer, peer_id)
            if peer is not None:
                peer.catchup_next = next_url
                peer.catchup_at = utcnow()
