"""What members do with polls (see node/cases/actions.py for the conventions)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from i18n.translate import gettext
from node.api.problems import Problem
from node.cases.access import case_or_404, conflict, require_author
from node.cases.actions import activity, thread_pseudonym_iri
from node.cases.locking import lock_thread
from node.cases.schemas import PollOut
from node.cases.threads import publish_thread_state
from node.db.types import utcnow
from node.db.upsert import insert_ignoring_conflict
from node.members.models import Member
from node.outbox.publish import publish
from node.polls.models import Poll, PollVote
from node.polls.schemas import PollIn, VoteIn, VoteOut
from node.polls.service import (
    VoteRefused,
    check_choices,
    count_vote,
    create_poll,
    poll_iri,
    poll_out,
)
from node.state import NodeState

MAX_POLL_DAYS = 90


async def add_poll(state: NodeState, member: Member, local_id: str, data: PollIn) -> PollOut:
    now = utcnow()
    if not now < data.closes_at <= now + timedelta(days=MAX_POLL_DAYS):
        raise Problem(
            422, f"closes_at must be in the next {MAX_POLL_DAYS} days.", slug="invalid-body"
        )
    async with state.db.write() as session:
        case = await case_or_404(session, local_id)
        require_author(member, case.author_member_id, "case")
        if await session.get(Poll, case.id) is not None:
            raise conflict(gettext("This case already has a poll."), "poll-exists")
        poll = create_poll(session, case.id, data)
        await session.flush()
        await publish_thread_state(session, state, case)
        out = poll_out(poll, voted=False)
    state.federation.delivery_due()
    return out


async def vote(state: NodeState, member: Member, local_id: str, data: VoteIn) -> VoteOut:
    """One vote per member across the network: a second one is a 409."""
    async with state.db.write() as session:
        case = await case_or_404(session, local_id)
        poll = await session.get(Poll, case.id)
        if poll is None:
            raise Problem(404, gettext("This case has no poll."), slug="not-found")
        try:
            choices = check_choices(poll, data.choices, now=utcnow())
        except VoteRefused as refused:
            raise Problem(422, str(refused), slug="vote-refused") from None
        voter = thread_pseudonym_iri(state, member, case)
        fresh = await insert_ignoring_conflict(
            session,
            PollVote,
            {
                "case_id": case.id,
                "voter_iri": voter,
                "member_id": member.id,
                "choices": choices,
                "voted_at": utcnow(),
            },
        )
        if not fresh:
            raise conflict(gettext("You already voted in this poll."), "already-voted")
        if case.is_local:
            await lock_thread(session, case, poll, *poll.options)
            count_vote(poll, choices)
            await publish_thread_state(session, state, case)
        else:
            ballot = {
                "id": f"{state.config.base_url}/votes/{secrets.token_hex(10)}",
                "type": "Vote",
                "attributedTo": voter,
                "inReplyTo": poll_iri(case.iri),
                "choice": choices,
            }
            await publish(session, activity(state, "Create", voter, ballot), recipient=case.origin)
    state.federation.delivery_due()
    return VoteOut(choices=choices)
