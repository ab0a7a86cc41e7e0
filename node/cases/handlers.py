"""Inbound activities about cases: Create (a case posted on a peer) and Delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, select

from federation.inbound.errors import InboundRejected
from federation.inbound.registry import ANY_OBJECT, Envelope
from node.cases.activities import RemoteCase, parse_case
from node.cases.attachments import listed_images, new_attachment
from node.cases.media import remove_files
from node.cases.models import Case, CaseSpecialty, Reply, Tombstone
from node.cases.notes import check_proof
from node.cases.purge import purge_thread_text
from node.cases.relay import announce, delete_reply_copy
from node.cases.service import case_by_iri, new_local_id
from node.db.base import table_of
from node.db.upsert import insert_ignoring_conflict
from node.events import CaseCreated, ThreadChanged, record_event
from node.inbox.context import ApplyContext
from node.inbox.forget import forget_thread
from node.state import NodeState

CASES = table_of(Case)
CASE_SPECIALTIES = table_of(CaseSpecialty)
# Built once; executed with a list of rows, an insert is sent as few multi-row
# statements ("insertmanyvalues"), its compiled form cached whatever the number.
INSERT_CASES = insert(CASES).returning(CASES.c.iri, CASES.c.id)
TOMBSTONED = select(Tombstone.iri).where(Tombstone.iri.in_(bindparam("iris", expanding=True)))
KNOWN = select(Case.iri).where(Case.iri.in_(bindparam("iris", expanding=True)))
PARSED = "case"  # verify()'s RemoteCase, in Envelope.checked


class CreateCase:
    activity_type = "Create"
    object_type = "Case"

    async def verify(self, envelope: Envelope) -> None:
        case = parse_case(envelope.object, envelope.signer_origin)
        if envelope.activity.get("actor") != case.author.iri:
            raise InboundRejected("the actor must be the case's author")
        envelope.checked[PARSED] = case

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        await self.receive_many([envelope], context)

    async def receive_many(self, envelopes: Sequence[Envelope], context: ApplyContext) -> None:
        """Store the cases of several Creates in a handful of statements, whatever
        their number: a peer catching up or a busy origin sends them in bursts, and
        on SQLite every statement is a round trip to the one writer connection.

        Core inserts into the tables rather than ORM objects: the ORM inserts rows
        whose new id it needs one statement at a time, and its bookkeeping per row
        costs more than the statement."""
        session = context.session
        remotes = [
            (
                envelope,
                envelope.checked.get(PARSED) or parse_case(envelope.object, envelope.signer_origin),
            )
            for envelope in envelopes
        ]
        iris = [remote.iri for _, remote in remotes]
        # Deleted already (a Delete won the race), or a replay of a known case.
        known = set(await session.scalars(TOMBSTONED, {"iris": iris}))
        known.update(await session.scalars(KNOWN, {"iris": iris}))
        new: dict[str, tuple[Envelope, RemoteCase]] = {}
        for envelope, remote in remotes:
            if remote.iri not in known:
                new.setdefault(remote.iri, (envelope, remote))  # twice in a batch: once
        if not new:
            return
        inserted = await session.execute(
            INSERT_CASES,
            [_case_row(remote, envelope.signer_origin) for envelope, remote in new.values()],
        )
        ids: dict[str, int] = {row.iri: row.id for row in inserted}
        specialties = [
            {"case_id": ids[iri], "code": code, "position": position}
            for iri, (_, remote) in new.items()
            for position, code in enumerate(remote.specialties)
        ]
        if specialties:
            await session.execute(insert(CASE_SPECIALTIES), specialties)
        for iri, (envelope, _) in new.items():
            images = listed_images(envelope.object.get("attachment"), envelope.signer_origin)
            for url, item in images.items():
                attachment = new_attachment(url, item)
                attachment.case_id = ids[iri]
                session.add(attachment)
        await session.flush()
        for iri in new:
            record_event(session, CaseCreated(ids[iri]))


def _case_row(remote: RemoteCase, origin: str) -> dict[str, Any]:
    return {
        "iri": remote.iri,
        "local_id": new_local_id(),
        "origin": origin,
        "is_local": False,
        "author_iri": remote.author.iri,
        "anonymous": remote.author.anonymous,
        "author_name": remote.author.name,
        "author_pseudonym": remote.author.pseudonym,
        "author_specialty": remote.author.specialty,
        "author_country": remote.author.country,
        "title": remote.title,
        "body": remote.body,
        "question": remote.question,
        "language": remote.language,
        "audience": "federated",
        "age_band": remote.age_band,
        "sex": remote.sex,
        "status": remote.status,
        "created_at": remote.published,
    }


class DeleteObject:
    """A peer deleted one of its objects: purge our copy, keep a tombstone.

    The pipeline has already checked the object is on the sender's origin, so a
    node can only ever delete what it published. If the object has not arrived
    yet, the tombstone alone is stored and its Create will be ignored. A reply
    deleted by its author's node in one of *our* threads is also relayed, with the
    author node's proof, to every peer.
    """

    activity_type = "Delete"
    object_type = ANY_OBJECT

    def __init__(self, state: NodeState) -> None:
        self.state = state

    async def verify(self, envelope: Envelope) -> None:
        if not envelope.object_id:
            raise InboundRejected("Delete needs the id of the deleted object")
        raw = _raw_object(envelope)
        if isinstance(raw, dict) and "proof" in raw:
            # A reply deleted by its author's node: the proof lets the thread's origin
            # relay the deletion to nodes that never talk to the author's node.
            await check_proof(
                raw, self.state.federation.proof_keys, allowed_origins={envelope.signer_origin}
            )

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        iri = envelope.object_id
        assert iri is not None  # checked by verify
        session = context.session
        reply = await session.scalar(select(Reply).where(Reply.iri == iri))
        if reply is not None:
            case = await session.get(Case, reply.case_id)
            await delete_reply_copy(context, iri, envelope.signer_origin, thread_origin=None)
            if case is not None:
                record_event(session, ThreadChanged(case.id))
            raw = _raw_object(envelope)
            if case is not None and case.is_local and isinstance(raw, dict) and "proof" in raw:
                await announce(session, self.state, raw, None)
                self.state.federation.delivery_due()
            return
        case = await case_by_iri(session, iri)
        await insert_ignoring_conflict(
            session,
            Tombstone,
            {"iri": iri, "origin": envelope.signer_origin, "former_type": "Case" if case else None},
        )
        if case is not None and not case.is_local:
            files = [attachment.local_id for attachment in case.attachments]
            await session.execute(delete(Case).where(Case.id == case.id))
            await purge_thread_text(session, iri)  # our replies in it, what we received
            remove_files(self.state, files)
        elif case is None:
            # Deleted before it got here: what failed for want of it goes too.
            await forget_thread(session, iri)


def _raw_object(envelope: Envelope) -> Any:
    return envelope.raw.get("object") if isinstance(envelope.raw, dict) else None


def case_handlers(state: NodeState) -> tuple[Any, ...]:
    return (CreateCase(), DeleteObject(state))
