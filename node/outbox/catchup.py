"""Catch-up: pull what we missed from each peer's outbox.

Runs at start-up (a node that was down), when a peer is added (a node that joins
late), when a failing peer answers again, and every few minutes as a safety net.
Each pulled activity goes through the same checks as a pushed one (except the HTTP
signature: the page itself came from a signed request to that peer) and is stored
the same way, so anything already received is skipped by its id.
"""

from __future__ import annotations

import asyncio
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

    async def run(self) -> None:
        # Workers start before the node listens; give it a moment, because a peer
        # that must refetch our actor (say after a key rotation) needs us reachable.
        await asyncio.sleep(STARTUP_DELAY_SECONDS)
        while True:
            self.wake.clear()
            await self.pull_all()
            await nap(self.wake, INTERVAL_SECONDS)

    async def pull_all(self) -> int:
        async with self.state.db.read() as session:
            peers = [
                PeerCursor(p.id, p.origin, p.key_id, p.outbox_url, p.catchup_next)
                for p in (await session.scalars(select(Peer).order_by(Peer.id))).all()
            ]
        total = 0
        for peer in peers:
            total += await self.pull(peer)
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
                break
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
        stored = 0
        for item in items:
            if not isinstance(item, dict) or item.get("id") in known:
                continue
            try:
                envelope = await self.pipeline.accept_document(
                    item, signer_origin=peer.origin, key_id=peer.key_id
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
                continue
            stored += await store_pulled(self.state.db, envelope)
        return stored

    async def _save_cursor(self, peer_id: int, next_url: str) -> None:
        async with self.state.db.write() as session:
            peer = await session.get(Peer, peer_id)
            if peer is not None:
                peer.catchup_next = next_url
                peer.catchup_at = utcnow()
