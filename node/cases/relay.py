"""Inbound activities of a thread: replies, their edits and deletions, and thread state.

At a case's origin: ``Create``/``Update`` of a Note (a reply written on another node,
or its edit) and ``Delete`` of one are checked and relayed to every peer as
``Announce``; ``Like`` (helpful), ``Create`` of a ``Vote`` and ``View`` reports update
the thread state. Everywhere else: ``Announce`` of a Note or Tombstone from the
origin, and ``Update`` of the Case with the origin's thread state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from federation.inbound.errors import InboundRejected
from federation.inbound.registry import Envelope
from federation.origin import OriginError, origin_of
from node.cases.activities import CONTEXT, new_activity_id, parse_case
from node.cases.models import Case, Reply, Tombstone
from node.cases.notes import check_proof, parse_note
from node.cases.purge import purge_reply_text
from node.cases.replies import encode, next_position, reply_in_thread, store_relayed_reply
from node.cases.service import case_by_iri, is_tombstoned
from node.cases.threads import apply_thread_state, record_revision
from node.db.upsert import insert_ignoring_conflict
from node.events import ThreadChanged, record_event
from node.inbox.context import ApplyContext
from node.inbox.forget import forget_failed_post
from node.outbox.publish import publish
from node.state import NodeState


def _origin(iri: str) -> str:
    try:
        return origin_of(iri)
    except OriginError as error:
        raise InboundRejected(str(error)) from None


def _raw_object(envelope: Envelope) -> Any:
    raw = envelope.raw if isinstance(envelope.raw, dict) else {}
    return raw.get("object")


async def announce(
    session: Any, state: NodeState, signed: dict[str, Any], position: int | None
) -> None:
    """Relay a signed object to every peer, as the thread's origin."""
    base_url = state.config.base_url
    activity: dict[str, Any] = {
        "@context": CONTEXT,
        "id": new_activity_id(base_url),
        "type": "Announce",
        "actor": f"{base_url}/actor",
        "object": signed,
    }
    if position is not None:
        activity["position"] = position
    await publish(session, activity)


async def _local_thread(context: ApplyContext, thread_iri: str) -> Case | None:
    case = await case_by_iri(context.session, thread_iri)
    return case if case is not None and case.is_local else None


class CreateNote:
    """At the origin: a reply written on another node."""

    activity_type = "Create"
    object_type = "Note"

    def __init__(self, state: NodeState) -> None:
        self.state = state

    async def verify(self, envelope: Envelope) -> None:
        note = parse_note(envelope.object)
        if envelope.activity.get("actor") != note.author.iri:
            raise InboundRejected("the actor must be the reply's author")
        if _origin(note.thread) != self.state.config.base_url:
            raise InboundRejected("send a reply to the node where its case was posted", status=422)
        await check_proof(
            _raw_object(envelope),
            self.state.federation.proof_keys,
            allowed_origins={envelope.signer_origin},
        )

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        note = parse_note(envelope.object)
        session = context.session
        case = await _local_thread(context, note.thread)
        if case is None or await is_tombstoned(session, note.iri):
            return  # the case was deleted (or never was ours): nothing to relay
        if await case_by_iri(session, note.iri) is not None or await reply_in_thread(
            session, case, note.iri
        ):
            return
        if (
            note.in_reply_to != case.iri
            and await reply_in_thread(session, case, note.in_reply_to) is None
        ):
            raise LookupError("the reply answers a reply we do not have yet")
        signed = _raw_object(envelope)
        position = await next_position(session, case)
        await store_relayed_reply(session, case, note, signed, position)
        await announce(session, context.state, signed, position)
        context.state.federation.delivery_due()


class UpdateNote:
    """At the origin: the author's node edited one of its replies."""

    activity_type = "Update"
    object_type = "Note"

    def __init__(self, state: NodeState) -> None:
        self.state = state

    async def verify(self, envelope: Envelope) -> None:
        note = parse_note(envelope.object)
        if note.updated is None:
            raise InboundRejected("an edited reply needs an updated time")
        if _origin(note.thread) != self.state.config.base_url:
            raise InboundRejected("send an edit to the node where its case was posted", status=422)
        await check_proof(
            _raw_object(envelope),
            self.state.federation.proof_keys,
            allowed_origins={envelope.signer_origin},
        )

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        note = parse_note(envelope.object)
        case = await _local_thread(context, note.thread)
        if case is None:
            return
        reply = await reply_in_thread(context.session, case, note.iri)
        if reply is None or reply.origin != envelope.signer_origin:
            raise LookupError("edit of a reply we do not have yet")
        if _apply_edit(context, reply, note.content, note.updated, _raw_object(envelope)):
            await announce(context.session, context.state, _raw_object(envelope), reply.position)
            context.state.federation.delivery_due()


def _apply_edit(
    context: ApplyContext, reply: Reply, content: str, updated: Any, signed: dict[str, Any]
) -> bool:
    if reply.updated_at is not None and updated is not None and updated <= reply.updated_at:
        return False  # an older edit arriving late
    if content != reply.content:
        record_revision(context.session, reply.iri, title=None, body=reply.content, question=None)
    reply.content = content
    reply.updated_at = updated
    reply.signed_note = encode(signed)
    return True


class AnnounceNote:
    """Everywhere but the origin: a reply (or its edit) relayed with its place."""

    activity_type = "Announce"
    object_type = "Note"

    def __init__(self, state: NodeState) -> None:
        self.state = state

    async def verify(self, envelope: Envelope) -> None:
        note = parse_note(envelope.object)
        if _origin(note.thread) != envelope.signer_origin:
            raise InboundRejected(
                "only a case's origin relays its replies", status=403, slug="wrong-origin"
            )
        position = envelope.activity.get("position")
        if not isinstance(position, int) or position < 1:
            raise InboundRejected("a relayed reply needs its position in the thread")
        await check_proof(
            _raw_object(envelope),
            self.state.federation.proof_keys,
            allowed_origins={_origin(note.iri)},
        )

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        note = parse_note(envelope.object)
        session = context.session
        position = int(envelope.activity["position"])
        if await is_tombstoned(session, note.iri) or await is_tombstoned(session, note.thread):
            return  # deleted: a late relay must not resurrect it
        case = await case_by_iri(session, note.thread)
        if case is None:
            raise LookupError("reply to a case we have not received yet")
        reply = await reply_in_thread(session, case, note.iri)
        if reply is None:
            await store_relayed_reply(session, case, note, _raw_object(envelope), position)
            return
        if reply.position is None:
            reply.position = position  # our own reply, now placed by the origin
        _apply_edit(context, reply, note.content, note.updated, _raw_object(envelope))


class AnnounceTombstone:
    """Everywhere but the origin: a reply was deleted (by its author or the origin)."""

    activity_type = "Announce"
    object_type = "Tombstone"

    def __init__(self, state: NodeState) -> None:
        self.state = state

    async def verify(self, envelope: Envelope) -> None:
        iri = envelope.object_id
        if not iri:
            raise InboundRejected("the tombstone has no id")
        allowed = {_origin(iri), envelope.signer_origin}
        await check_proof(
            _raw_object(envelope), self.state.federation.proof_keys, allowed_origins=allowed
        )

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        iri = envelope.object_id
        assert iri is not None
        await delete_reply_copy(
            context, iri, envelope.signer_origin, thread_origin=envelope.signer_origin
        )


async def delete_reply_copy(
    context: ApplyContext, iri: str, origin: str, *, thread_origin: str | None
) -> Reply | None:
    """Purge a reply and keep its tombstone. With ``thread_origin``, only if the reply
    belongs to a thread of that node (a node may only remove replies from its own
    threads, or its own replies)."""
    session = context.session
    tombstone = {"iri": iri, "origin": origin, "former_type": "Note"}
    reply = await session.scalar(select(Reply).where(Reply.iri == iri))
    if reply is None:
        # Not here (yet): the tombstone makes a late Create lose. Never for one of our
        # own objects or a case we hold, which a peer cannot delete this way.
        ours = _origin(iri) == context.state.config.base_url
        if not ours and await case_by_iri(session, iri) is None:
            await insert_ignoring_conflict(session, Tombstone, tombstone)
            await forget_failed_post(session, iri)
        return None
    case = await session.get(Case, reply.case_id)
    if (
        thread_origin is not None
        and case is not None
        and case.origin != thread_origin
        and reply.origin != origin
    ):
        return None  # not the sender's to delete: no tombstone either
    await insert_ignoring_conflict(session, Tombstone, tombstone)
    await session.execute(delete(Reply).where(Reply.iri == iri))
    if case is not None:  # always, while the reply was there (a foreign key)
        case.reply_count = max(0, case.reply_count - 1)
        record_event(session, ThreadChanged(case.id))
        await session.flush()  # the case row before the logs' rows: lock order
        await purge_reply_text(session, case.iri, iri)  # our relay or our own Create
    return reply


class UpdateCase:
    """Everywhere but the origin: the origin's thread state (and any edit of the case)."""

    activity_type = "Update"
    object_type = "Case"

    async def verify(self, envelope: Envelope) -> None:
        parse_case(envelope.object, envelope.signer_origin)

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        remote = parse_case(envelope.object, envelope.signer_origin)
        session = context.session
        case = await case_by_iri(session, remote.iri)
        if case is None:
            if await is_tombstoned(session, remote.iri):
                return
            raise LookupError("update of a case we have not received yet")
        if case.is_local:
            return
        content = {"title": remote.title, "body": remote.body, "question": remote.question}
        await apply_thread_state(session, case, envelope.object, content)


def thread_handlers(state: NodeState) -> tuple[Any, ...]:
    return (
        CreateNote(state),
        UpdateNote(state),
        AnnounceNote(state),
        AnnounceTombstone(state),
        UpdateCase(),
    )
