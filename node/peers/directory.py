"""Which key made a data-integrity proof: ours, a peer's, or another node's.

A reply relayed by a thread's origin carries a proof by the author's node. The
author's node is usually a peer (its key is in the peers table), or this node (our
own reply coming back with its place in the thread). If it is neither, its actor is
fetched once (unsigned: actors are public) and cached for a while; keys it retired
count for proofs made before, if its rotation statements link them to its current
key (federation.rotation.historical_keys).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from federation.discovery import NodeActor
from federation.origin import OriginError, origin_of
from federation.proofs.multibase import public_key_from_multikey
from federation.rotation import historical_keys
from federation.transport import SigningKey
from node.db.engine import Database
from node.logs import NodeLogger
from node.peers.service import PeerError, fetch_node_actor, peer_by_origin

ACTOR_CACHE_SECONDS = 600.0


@dataclass(frozen=True)
class _Known:
    keys: dict[str, Ed25519PublicKey]
    fetched: float


class ProofKeys:
    def __init__(
        self,
        db: Database,
        http: aiohttp.ClientSession,
        signing_key: SigningKey,
        own_keys: dict[str, Ed25519PublicKey],
        log: NodeLogger,
    ) -> None:
        self._db = db
        self._http = http
        self._signing_key = signing_key
        self._own = own_keys
        self._own_origin = origin_of(signing_key.key_id)
        self._log = log
        self._fetched: dict[str, _Known] = {}

    async def key_for(self, key_id: str) -> Ed25519PublicKey | None:
        """The public key ``key_id`` names, if its node can be established."""
        try:
            origin = origin_of(key_id)
        except OriginError:
            return None
        if origin == self._own_origin:
            return self._own.get(key_id)
        async with self._db.read() as session:
            peer = await peer_by_origin(session, origin)
        if peer is not None and peer.key_id == key_id:
            return public_key_from_multikey(peer.public_key_multibase)
        known = self._fetched.get(origin)
        if known is None or time.monotonic() - known.fetched > ACTOR_CACHE_SECONDS:
            known = await self._fetch(origin)
            if known is None:
                return None
        if peer is not None and not _agrees(known, peer.key_id, peer.public_key_multibase):
            # The actor we fetched disagrees with the key we trust for this peer:
            # believe the trusted key (rotations reach us through PeerKeys).
            return None
        return known.keys.get(key_id)

    async def _fetch(self, origin: str) -> _Known | None:
        try:
            actor: NodeActor = await fetch_node_actor(self._http, origin, self._signing_key)
        except PeerError as error:
            self._log.warning("cannot fetch %s to check a proof: %s", origin, error)
            return None
        known = _Known(
            keys=historical_keys(
                current_key_id=actor.key_id,
                current_key=actor.public_key,
                statements=actor.rotations,
            ),
            fetched=time.monotonic(),
        )
        self._fetched[origin] = known
        return known


def _agrees(known: _Known, key_id: str, multibase: str) -> bool:
    key = known.keys.get(key_id)
    return key is not None and key == public_key_from_multikey(multibase)
