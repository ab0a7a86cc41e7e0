"""Storing accepted activities: replay check and insert in one transaction."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation.inbound.errors import Unauthenticated
from federation.inbound.pipeline import Accepted
from federation.inbound.registry import Envelope
from node.db.engine import Database
from node.db.types import utcnow
from node.db.upsert import insert_ignoring_conflict
from node.inbox.models import InboxEntry, SeenSignature
from node.peers.models import Peer

# Writing last_seen_at on every request would make each inbox POST two writes.
SEEN_RESOLUTION = timedelta(minutes=1)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def store_pushed(db: Database, accepted: Accepted) -> bool:
    """Record the signature and store the activity. False for a known activity id;
    Unauthenticated for a replayed signature (then nothing is stored)."""
    now = utcnow()
    async with db.write() as session:
        fresh = await insert_ignoring_conflict(
            session,
            SeenSignature,
            {
                "fingerprint": accepted.signature_fingerprint.hex(),
                "expires_at": accepted.remember_until,
            },
        )
        if not fresh:
            raise Unauthenticated("this exact signed request was already received (replay)")
        stored = await _insert(session, accepted.envelope)
        await session.execute(
            update(Peer)
            .where(Peer.origin == accepted.envelope.signer_origin)
            .where((Peer.last_seen_at.is_(None)) | (Peer.last_seen_at < now - SEEN_RESOLUTION))
            .values(last_seen_at=now)
        )
    return stored


async def store_pulled(db: Database, envelope: Envelope) -> bool:
    """Store an activity read from a peer's outbox during catch-up."""
    async with db.write() as session:
        return await _insert(session, envelope)


async def _insert(session: AsyncSession, envelope: Envelope) -> bool:
    return await insert_ignoring_conflict(
        session,
        InboxEntry,
        {
            "activity_id": envelope.id,
            "signer_origin": envelope.signer_origin,
            "key_id": envelope.key_id,
            "activity": _dumps(envelope.activity),
            "raw": _dumps(envelope.raw),
            "received_at": utcnow(),
            "next_attempt_at": utcnow(),
        },
    )


async def forget_expired_signatures(db: Database) -> int:
    async with db.write() as session:
        result = await session.execute(
            delete(SeenSignature).where(SeenSignature.expires_at < utcnow())
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
