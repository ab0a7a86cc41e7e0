"""At a case's origin: votes cast on other nodes (``Create`` of a ``Vote``)."""

from __future__ import annotations

from federation.inbound.errors import InboundRejected
from federation.inbound.registry import Envelope
from federation.jsonld import as_list, id_of
from federation.origin import OriginError, origin_of
from node.cases.locking import lock_thread
from node.cases.service import case_by_iri
from node.cases.threads import publish_thread_state
from node.db.types import utcnow
from node.db.upsert import insert_ignoring_conflict
from node.inbox.context import ApplyContext
from node.polls.models import Poll, PollVote
from node.polls.service import VoteRefused, check_choices, count_vote
from node.state import NodeState


def _choices(envelope: Envelope) -> list[int]:
    vote = envelope.object if isinstance(envelope.object, dict) else {}
    choices = as_list(vote.get("choice"))
    if not choices or not all(isinstance(c, int) and not isinstance(c, bool) for c in choices):
        raise InboundRejected("a vote needs its choices as option numbers")
    return choices


class CreateVote:
    activity_type = "Create"
    object_type = "Vote"

    def __init__(self, state: NodeState) -> None:
        self.state = state

    async def verify(self, envelope: Envelope) -> None:
        vote = envelope.object if isinstance(envelope.object, dict) else {}
        poll = id_of(vote.get("inReplyTo"))
        if id_of(vote.get("attributedTo")) != id_of(envelope.activity.get("actor")):
            raise InboundRejected("the voter must be the actor")
        try:
            if not poll or origin_of(poll) != self.state.config.base_url:
                raise InboundRejected(
                    "send a vote to the node where its poll was posted", status=422
                )
        except OriginError as error:
            raise InboundRejected(str(error)) from None
        _choices(envelope)

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        session = context.session
        poll_ref = id_of(envelope.object.get("inReplyTo")) or ""
        case = await case_by_iri(session, poll_ref.removesuffix("#poll"))
        if case is None or not case.is_local:
            return
        poll = await session.get(Poll, case.id)
        if poll is None:
            return
        try:
            choices = check_choices(poll, _choices(envelope), now=utcnow())
        except VoteRefused as refused:
            self.state.log.info("vote not counted: %s", refused)
            return
        voter = id_of(envelope.activity.get("actor"))
        fresh = await insert_ignoring_conflict(
            session,
            PollVote,
            {"case_id": case.id, "voter_iri": voter, "choices": choices, "voted_at": utcnow()},
        )
        if fresh:  # the origin decides: a second vote by the same member never counts
            await lock_thread(session, case, poll, *poll.options)
            count_vote(poll, choices)
            await publish_thread_state(session, self.state, case)
            self.state.federation.delivery_due()
