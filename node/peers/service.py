"""Adding, listing and removing peers; finding a peer by its key or origin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiohttp
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.discovery import ActorError, NodeActor, actor_url, parse_node_actor
from federation.origin import OriginError, origin_of
from federation.proofs.multibase import public_key_to_multikey
from federation.signatures.keys import fingerprint
from federation.transport import FetchError, SigningKey, get_json
from node.audit.service import record
from node.outbox.models import Delivery, OutboxEntry, waiting_for
from node.peers.models import Peer


class PeerError(ValueError):
    """The peer cannot be added or found; the message is for the operator."""


class PeerUnreachable(PeerError):
    """Nothing answered at the address (a network error, or a 5xx from a proxy)."""


class NotACurbsideNode(PeerError):
    """Something answered at the address, but not with a Curbside node actor."""


def peer_origin(url: str) -> str:
    try:
        return origin_of(url.strip())
    except OriginError as error:
        raise PeerError(f"{url!r} is not a node URL: {error}") from None


async def fetch_node_actor(http: aiohttp.ClientSession, url: str, key: SigningKey) -> NodeActor:
    """Fetch and check the node actor at ``url``'s origin (our request is signed)."""
    origin = peer_origin(url)
    try:
        document = await get_json(http, actor_url(origin), key)
        return parse_node_actor(document, expected_origin=origin)
    except FetchError as error:
        # Something answered, with a 4xx or a document that is not an actor; a 5xx (a
        # proxy in front of a node that is down) counts as not reached.
        if error.status is not None and error.status < 500:
            raise NotACurbsideNode(
                f"{origin} does not look like a Curbside node: {error}"
            ) from None
        raise PeerUnreachable(f"cannot fetch the node actor of {origin}: {error}") from None
    except ActorError as error:
        raise NotACurbsideNode(f"{origin} does not look like a Curbside node: {error}") from None


async def add_peer(
    session: AsyncSession, actor: NodeActor, *, own_origin: str, actor_label: str
) -> Peer:
    if actor.origin == own_origin:
        raise PeerError("a node cannot peer with itself")
    if await peer_by_origin(session, actor.origin) is not None:
        raise PeerError(f"{actor.origin} is already a peer")
    peer = Peer(
        origin=actor.origin,
        actor_id=actor.id,
        inbox_url=actor.inbox,
        outbox_url=actor.outbox,
        name=actor.name,
        country=actor.country,
        key_id=actor.key_id,
        public_key_multibase=public_key_to_multikey(actor.public_key),
        fingerprint=fingerprint(actor.public_key),
    )
    session.add(peer)
    await session.flush()
    # Push only what is published from now on; the new peer pulls our history
    # from /outbox (catch-up), in pages, at its own pace.
    last_seq = await session.scalar(select(func.coalesce(func.max(OutboxEntry.seq), 0)))
    session.add(Delivery(peer_id=peer.id, last_delivered_seq=last_seq or 0))
    record(
        session,
        actor=actor_label,
        action="peer.add",
        subject=actor.origin,
        details={"fingerprint": peer.fingerprint, "key_id": peer.key_id},
    )
    return peer


async def remove_peer(session: AsyncSession, url: str, *, actor_label: str) -> bool:
    origin = peer_origin(url)
    result = await session.execute(delete(Peer).where(Peer.origin == origin))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return False
    record(session, actor=actor_label, action="peer.remove", subject=origin)
    return True


async def peer_by_origin(session: AsyncSession, origin: str) -> Peer | None:
    return await session.scalar(select(Peer).where(Peer.origin == origin))


async def peer_by_key_id(session: AsyncSession, key_id: str) -> Peer | None:
    return await session.scalar(select(Peer).where(Peer.key_id == key_id))


@dataclass(frozen=True)
class PeerHealth:
    origin: str
    name: str
    country: str | None
    fingerprint: str
    added_at: datetime
    mutual: bool
    pending: int
    failures: int
    unreachable: bool
    next_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None


async def list_peers(session: AsyncSession) -> list[PeerHealth]:
    rows = (
        await session.execute(select(Peer, Delivery).outerjoin(Delivery).order_by(Peer.origin))
    ).all()
    out = []
    for peer, delivery in rows:
        pending = 0
        if delivery is not None:
            pending = (
                await session.scalar(
                    select(func.count())
                    .select_from(OutboxEntry)
                    .where(waiting_for(peer.origin, delivery.last_delivered_seq))
                )
                or 0
            )
        out.append(
            PeerHealth(
                origin=peer.origin,
                name=peer.name,
                country=peer.country,
                fingerprint=peer.fingerprint,
                added_at=peer.added_at,
                mutual=peer.last_seen_at is not None
                or (delivery is not None and delivery.last_success_at is not None),
                pending=pending,
                failures=delivery.failures if delivery else 0,
                unreachable=delivery.unreachable if delivery else False,
                next_attempt_at=delivery.next_attempt_at if delivery else None,
                last_success_at=delivery.last_success_at if delivery else None,
                last_error=delivery.last_error if delivery else None,
            )
        )
    return out
