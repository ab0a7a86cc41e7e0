"""The key store the inbound pipeline asks: which peer owns this key, and has it
rotated? Implements ``federation.inbound.pipeline.KeyResolver`` over the peers table."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import update

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
        return TrustedKey(key_id=peer.key_id, public_key=public_key, origin=peer.origin)

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
        async with self._db.write() as session:
            await session.execute(
                update(Peer).where(Peer.origin == origin).values(key_checked_at=now)
            )
        if actor.key_id == trusted_id:
            return None if key_id != trusted_id else await self.resolve(key_id)
        return await self._rotate(origin, trusted_id, trusted_multibase, actor, key_id)

    async def _rotate(
        self, origin: str, trusted_id: str, trusted_multibase: str, actor: NodeActor, wanted: str
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
                record(
                    session,
                    actor="system",
                    action="peer.key_change_refused",
                    subject=origin,
                    reason=str(error),
                )
            return None
        if public_key_to_multikey(new_key) != public_key_to_multikey(actor.public_key):
            return None  # the chain ends in a key other than the one the actor shows
        async with self._db.write() as session:
            peer = await peer_by_origin(session, origin)
            if peer is None:
                return None
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
