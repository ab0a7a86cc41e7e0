"""At a case's origin: helpful marks (``Like``, taken back by ``Undo``) and view reports
(``View``) from peers."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.inbound.errors import InboundRejected
from federation.inbound.registry import ANY_OBJECT, Envelope
from federation.jsonld import id_of
from node.cases.locking import lock_thread
from node.cases.models import Case, HelpfulMark, Reply, ViewReport
from node.cases.threads import publish_thread_state
from node.db.types import utcnow
from node.db.upsert import insert_ignoring_conflict
from node.inbox.context import ApplyContext
from node.inbox.undone import undo_waiting
from node.state import NodeState


async def _reply_in_our_thread(session: AsyncSession, iri: str | None) -> tuple[Reply, Case] | None:
    """The reply named by a peer's Like or Undo, with its case, if the thread is ours
    (marks are counted at the case's origin); None if it was deleted since (marks and
    all) or is not a reply in one of our threads: then there is nothing to count."""
    reply = await session.scalar(select(Reply).where(Reply.iri == iri))
    if reply is None:
        return None
    case = await session.get(Case, reply.case_id)
    if case is None or not case.is_local:
        return None
    return reply, case


class LikeReply:
    """A member of another node found a reply in one of our threads helpful.

    The actor is that member's per-thread pseudonym: enough to refuse a second mark
    from the same member, nothing about who they are.
    """

    activity_type = "Like"
    object_type = ANY_OBJECT

    def __init__(self, state: NodeState) -> None:
        self.state = state

    async def verify(self, envelope: Envelope) -> None:
        if not envelope.object_id:
            raise InboundRejected("Like needs the id of the reply")

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        session = context.session
        found = await _reply_in_our_thread(session, envelope.object_id)
        if found is None:
            return
        reply, case = found
        marker = id_of(envelope.activity.get("actor"))
        if reply.author_iri == marker:
            return  # nobody marks their own reply
        fresh = await insert_ignoring_conflict(
            session,
            HelpfulMark,
            {"reply_id": reply.id, "marker_iri": marker, "created_at": utcnow()},
        )
        if fresh:
            await lock_thread(session, case, reply)
            reply.helpful_count += 1
            await publish_thread_state(session, self.state, case)
            self.state.federation.delivery_due()


async def withdraw_mark(
    session: AsyncSession, state: NodeState, case: Case, reply: Reply, marker: str
) -> bool:
    """Delete ``marker``'s helpful mark on ``reply``; at the case's origin also lower the
    total (under the thread lock, as marking raises it) and publish the thread state.
    False if there was no such mark: nothing changes then, so a redelivered or stray
    Undo is harmless."""
    removed = await session.execute(
        delete(HelpfulMark).where(
            HelpfulMark.reply_id == reply.id, HelpfulMark.marker_iri == marker
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        return False
    if case.is_local:
        await lock_thread(session, case, reply)
        reply.helpful_count = max(0, reply.helpful_count - 1)
        await publish_thread_state(session, state, case)
    return True


class UndoLikeReply:
    """A member of another node takes back a helpful mark on a reply in our thread.

    The pipeline has checked that the Like's actor is on the signing node's origin (a
    node can only undo its own members' marks); here it must also be the Undo's actor.
    The Like comes embedded (actor and reply), not by id: the marking node does not
    keep the Like's id, and the mark is found by (reply, marker) anyway.
    """

    activity_type = "Undo"
    object_type = "Like"

    def __init__(self, state: NodeState) -> None:
        self.state = state

    async def verify(self, envelope: Envelope) -> None:
        like = envelope.object
        if not isinstance(like, dict):  # dispatched on its type: embedded, always
            raise InboundRejected("Undo of a Like needs the Like embedded")
        if id_of(like.get("actor")) != id_of(envelope.activity.get("actor")):
            raise InboundRejected("only the member who marked a reply can take the mark back")
        if not id_of(like.get("object")):
            raise InboundRejected("the undone Like needs the id of the reply")

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        session = context.session
        found = await _reply_in_our_thread(session, id_of(envelope.object.get("object")))
        if found is None:
            return
        reply, case = found
        marker = id_of(envelope.activity.get("actor"))
        assert marker is not None  # checked by the pipeline
        if await withdraw_mark(session, self.state, case, reply, marker):
            self.state.federation.delivery_due()
            return
        # No mark yet: the Like may be waiting for a retry (it failed on a passing
        # error), and would bring the mark back once applied after its Undo.
        await undo_waiting(
            session,
            undo_id=envelope.id,
            signer_origin=envelope.signer_origin,
            mentions=marker,
            matches=lambda activity: (
                activity.get("type") == "Like"
                and id_of(activity.get("actor")) == marker
                and id_of(activity.get("object")) == reply.iri
            ),
        )


class ViewReportHandler:
    """Another node says how many of its members opened one of our cases."""

    activity_type = "View"
    object_type = ANY_OBJECT

    async def verify(self, envelope: Envelope) -> None:
        count = envelope.activity.get("viewCount")
        if not isinstance(count, int) or count < 0:
            raise InboundRejected("a view report needs a viewCount")
        if not envelope.object_id:
            raise InboundRejected("a view report needs the case id")

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        session = context.session
        case = await session.scalar(select(Case).where(Case.iri == envelope.object_id))
        if case is None or not case.is_local:
            return
        await lock_thread(session, case)  # network_view_count below
        report = await session.get(ViewReport, (case.id, envelope.signer_origin))
        if report is None:
            session.add(ViewReport(case_id=case.id, node_origin=envelope.signer_origin, count=0))
            await session.flush()
            report = await session.get(ViewReport, (case.id, envelope.signer_origin))
        assert report is not None
        report.count = int(envelope.activity["viewCount"])
        report.reported_at = utcnow()
        await session.flush()
        others = await session.scalar(
            select(func.coalesce(func.sum(ViewReport.count), 0)).where(
                ViewReport.case_id == case.id
            )
        )
        case.network_view_count = case.local_view_count + int(others or 0)
        case.views_dirty = True  # published by the view job, coalesced
