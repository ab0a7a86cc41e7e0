"""Telling peers when the node withdraws (or restores) its attestation of a member.

A suspension or revocation must reach every peer, durably: the job below compares
each member's status with the status peers were last told (``federated_status``) and
publishes ``Update`` of the member actor for every difference, in the same
transaction that records it as told. Peers then mark that author's named content.

Anonymous posts are deliberately not marked on peers: telling them which pseudonyms
belong to the suspended member would link pseudonyms that are meant to be unlinkable.
They are marked on this node only (see docs/privacy.md).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation.inbound.errors import InboundRejected
from federation.inbound.registry import Envelope
from federation.jsonld import id_of
from node.cases.activities import CONTEXT, new_activity_id
from node.cases.models import Case, Reply
from node.events import ThreadChanged, record_event
from node.inbox.context import ApplyContext
from node.members.actor import member_actor
from node.members.models import ANNOUNCEMENT_DUE, Member
from node.outbox.publish import publish
from node.state import NodeState

BATCH = 100
STATUSES = ("verified", "suspended", "revoked")


async def mark_local_content(session: AsyncSession, member_id: int, status: str) -> None:
    """The member's named posts show the status, here as on every peer. Anonymous posts
    keep showing that a verified physician wrote them, on this node too: marking them
    would show every member which pseudonyms (and which name) belong to one person,
    the moment they all turn "suspended" together (docs/privacy.md)."""
    for model in (Case, Reply):
        await session.execute(
            update(model)
            .where(model.author_member_id == member_id, model.anonymous.is_(False))
            .values(author_status=status)
        )


# Built once; answered from the partial index ix_members_announcement_due.
ANNOUNCEMENTS_DUE = (
    select(Member)
    .where(ANNOUNCEMENT_DUE)  # names the statuses peers may learn (ANNOUNCED_STATUSES)
    .order_by(Member.id)
    .limit(BATCH)
)


async def sync_attestations(state: NodeState) -> int:
    """Announce status changes peers have not heard of yet; returns how many."""
    base_url = state.config.base_url
    announced = 0
    async with state.db.write() as session:
        changed = (await session.scalars(ANNOUNCEMENTS_DUE)).all()
        # Every change to case rows before the first publish, which takes the outbox's
        # append lock: see docs/architecture.md on lock order.
        for member in changed:
            await mark_local_content(session, member.id, member.status)
        for member in changed:
            if member.federated_status is None and member.status == "verified":
                # A newly verified member: peers learn of them from their posts.
                member.federated_status = member.status
                continue
            await publish(
                session,
                {
                    "@context": CONTEXT,
                    "id": new_activity_id(base_url),
                    "type": "Update",
                    "actor": f"{base_url}/actor",
                    "object": member_actor(base_url, state.config.country, member),
                },
            )
            member.federated_status = member.status
            announced += 1
    if announced:
        state.federation.delivery_due()
    return announced


async def attestation_job(state: NodeState) -> None:
    while True:
        await sync_attestations(state)
        await asyncio.sleep(state.config.attestation_sync_seconds)


class UpdatePerson:
    """A peer changed its attestation of one of its members: mark their named posts."""

    activity_type = "Update"
    object_type = "Person"

    async def verify(self, envelope: Envelope) -> None:
        attestation = (
            envelope.object.get("attestation") if isinstance(envelope.object, dict) else None
        )
        if not isinstance(attestation, dict):
            raise InboundRejected("an updated member needs the node's attestation")
        if id_of(attestation.get("verifiedBy")) != f"{envelope.signer_origin}/actor":
            raise InboundRejected("a member can only be attested by its own node")
        if attestation.get("verificationStatus") not in STATUSES:
            raise InboundRejected(f"verificationStatus must be one of {', '.join(STATUSES)}")

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        iri = envelope.object_id
        status = envelope.object["attestation"]["verificationStatus"]
        session = context.session
        for model in (Case, Reply):
            await session.execute(
                update(model).where(model.author_iri == iri).values(author_status=status)
            )
        case_ids = (await session.scalars(select(Case.id).where(Case.author_iri == iri))).all()
        reply_cases = (
            await session.scalars(select(Reply.case_id).where(Reply.author_iri == iri))
        ).all()
        for case_id in {*case_ids, *reply_cases}:
            record_event(session, ThreadChanged(case_id))
