"""The key store the inbound pipeline asks: which peer owns this key, and has it
rotated? Implements ``federation.inbound.pipeline.KeyResolver`` over the peers table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation.discovery import NodeActor
from federation.inbound.pipeline import TrustedKey
from federation.origin import OriginError, origin_of
from federation.proofs.multibase import public_key_from_multikey, public_key_to_multikey
from federation.rotation import RotationError, follow_rotations
from federation.signatures.keys import fingerprint
from federation.transport import SigningKey
from node.audit.service import record
from node.db.engine import Database
from node.db.types import utcnow
from node.logs import NodeLogger
from node.peers.models import Peer
from node.peers.service import PeerError, fetch_node_actor, peer_by_key_id, peer_by_origin

# A peer's actor is refetched at most this often, however many bad signatures
# arrive in its name: otherwise forged requests would make us hammer the peer.
REFRESH_INTERVAL = timedelta(seconds=60)
# A fetch that failed (the peer restarting, a network blip) does not use up that
# allowance, but is not repeated sooner than this.
FAILED_REFRESH_INTERVAL = timedelta(seconds=5)


class PeerKeys:
    def __init__(
        self,
        db: Database,
        http: aiohttp.ClientSession,
        signing_key: SigningKey,
        log: NodeLogger,
    ) -> None:
        self._db = db
        self._http = http
        self._signing_key = signing_key
        self._log = log
        # Decoding a multibase key costs more than the lookup; keep decoded keys.
        # Keyed by the encoded value too, so a rotated key is never served stale.
        self._decoded: dict[tuple[str, str], Ed25519PublicKey] = {}
        self.refetches = 0  # actor fetches made, for tests and metrics
        self._failed_at: dict[str, datetime] = {}

    def _trusted(self, peer: Peer) -> TrustedKey:
        cache_key = (peer.key_id, peer.public_key_multibase)
        public_key = self._decoded.get(cache_key)
        if public_key is None:
            public_key = public_key_from_multikey(peer.public_key_multibase)
            self._decoded[cache_key] = public_key
        return TrustedKey(
            key_id=peer.key_id,
            public_key=public_key,
            origin=peer.origin,
            multibase=peer.public_key_multibase,
        )

    async def resolve(self, key_id: str) -> TrustedKey | None:
        async with self._db.read() as session:
            peer = await peer_by_key_id(session, key_id)
        return self._trusted(peer) if peer is not None else None

    async def refresh(self, key_id: str) -> TrustedKey | None:
        try:
            origin = origin_of(key_id)
        except OriginError:
            return None
        now = utcnow()
        async with self._db.read() as session:
            peer = await peer_by_origin(session, origin)
            if peer is None:
                return None  # not a peer: nothing to refresh, and nothing to fetch
            if peer.key_id == key_id:
                # Already the trusted key (the peer was added while the request was
                # checked): a fetch could only confirm it, or find a newer key, which
                # would not be the one asked for either.
                return self._trusted(peer)
            recent = (
                peer.key_checked_at is not None and now - peer.key_checked_at < REFRESH_INTERVAL
            )
            failed = self._failed_at.get(origin)
            if recent or (failed is not None and now - failed < FAILED_REFRESH_INTERVAL):
                return self._trusted(peer) if peer.key_id == key_id else None
            trusted_id, trusted_multibase = peer.key_id, peer.public_key_multibase
        self.refetches += 1
        try:
            actor = await fetch_node_actor(self._http, origin, self._signing_key)
        except PeerError as error:
            self._failed_at[origin] = now
            self._log.warning("key refresh of %s failed: %s", origin, error)
            return None
        self._failed_at.pop(origin, None)
        if actor.key_id != trusted_id:
            # The check time is written with the new key, in one transaction: a request
            # checked in between must not find the refetch done but the old key still
            # there (it would be refused as rate-limited, with the new key unseen).
            return await self._rotate(origin, trusted_id, trusted_multibase, actor, key_id, now)
        await self._checked(origin, now)
        return None if key_id != trusted_id else await self.resolve(key_id)

    async def _checked(self, origin: str, now: datetime) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(Peer).where(Peer.origin == origin).values(key_checked_at=now)
            )

    async def _rotate(
        self,
        origin: str,
        trusted_id: str,
        trusted_multibase: str,
        actor: NodeActor,
        wanted: str,
        now: datetime,
    ) -> TrustedKey | None:
        try:
            new_key = follow_rotations(
                trusted_key_id=trusted_id,
                trusted_key=public_key_from_multikey(trusted_multibase),
                statements=actor.rotations,
                target_key_id=actor.key_id,
            )
        except RotationError as error:
            self._log.warning(
                "peer key change refused", extra={"peer": origin, "error": str(error)}
            )
            async with self._db.write() as session:
                await session.execute(
                    update(Peer).where(Peer.origin == origin).values(key_checked_at=now)
                )
                record(
                    session,
                    actor="system",
                    action="peer.key_change_refused",
                    subject=origin,
                    reason=str(error),
                )
            return None
        if public_key_to_multikey(new_key) != public_key_to_multikey(actor.public_key):
            await self._checked(origin, now)
            return None  # the chain ends in a key other than the one the actor shows
        async with self._db.write() as session:
            peer = await peer_by_origin(session, origin)
            if peer is None:
                return None
            peer.key_checked_at = now
            peer.key_id = actor.key_id
            peer.public_key_multibase = public_key_to_multikey(actor.public_key)
            peer.fingerprint = fingerprint(actor.public_key)
            record(
                session,
                actor="system",
                action="peer.key_rotated",
                subject=origin,
                details={"key_id": actor.key_id, "fingerprint": peer.fingerprint},
            )
            trusted = self._trusted(peer)
        self._log.info("peer key rotated", extra={"peer": origin, "key_id": actor.key_id})
        return trusted if trusted.key_id == wanted else None


class CachedPeerKeys:
    """The inbox's key resolver: decoded peer keys kept in memory.

    Every inbox POST needs its signer's key, and reading it costs a database round
    trip of its own. A cached key may be stale — the peer removed by the CLI or by
    another process of this node, or its key rotated — so it only serves to check a
    signature: the transaction that stores the activity confirms the key against the
    peers table (``confirmed_keys``) and refuses it otherwise, which keeps removal and
    rotation immediate. GETs from peers (authorized fetch) store nothing to confirm
    in, so they ask ``PeerKeys`` itself.
    """

    def __init__(self, keys: PeerKeys) -> None:
        self._keys = keys
        self._cache: dict[str, TrustedKey] = {}

    async def resolve(self, key_id: str) -> TrustedKey | None:
        key = self._cache.get(key_id)
        if key is None:
            key = await self._keys.resolve(key_id)
            if key is not None:
                self._cache[key_id] = key
        return key

    async def refresh(self, key_id: str) -> TrustedKey | None:
        self._cache.pop(key_id, None)
        key = await self._keys.refresh(key_id)
        if key is not None:
            self._cache[key_id] = key
        return key

    def forget(self, key_id: str) -> None:
        """The store found this key no longer trusted: read it afresh next time."""
        self._cache.pop(key_id, None)


KeyIdentity = tuple[str, str, str | None]  # key id, peer origin, multibase key


def key_identity(key: TrustedKey) -> KeyIdentity:
    if key.multibase is not None:
        return (key.key_id, key.origin, key.multibase)
    # Peers' keys are Ed25519; anything else matches no peers row.
    multibase = (
        public_key_to_multikey(key.public_key)
        if isinstance(key.public_key, Ed25519PublicKey)
        else None
    )
    return (key.key_id, key.origin, multibase)


async def confirmed_keys(session: AsyncSession, key_ids: Iterable[str]) -> set[KeyIdentity]:
    """The current key of each peer among ``key_ids``, as this transaction sees it:
    a key whose ``key_identity`` is not in the answer is no peer's key any more."""
    wanted = sorted(set(key_ids))
    if not wanted:
        return set()
    rows = await session.execute(CURRENT_KEYS, {"key_ids": wanted})
    return {(key_id, origin, multibase) for key_id, origin, multibase in rows}


# Built once: the inbox store runs it for every batch.
CURRENT_KEYS = select(Peer.key_id, Peer.origin, Peer.public_key_multibase).where(
    Peer.key_id.in_(bindparam("key_ids", expanding=True))
)
