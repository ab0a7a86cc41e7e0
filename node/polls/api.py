"""JSON API: a poll on your case, and voting."""

from __future__ import annotations

import secrets
from datetime import timedelta

from aiohttp import web

from node.api.bodies import json_response, read_json
from node.api.problems import Problem
from node.api.routing import ApiRoutes
from node.cases.access import case_or_404, conflict, require_author
from node.cases.activities import CONTEXT, new_activity_id
from node.cases.schemas import PollOut
from node.cases.threads import publish_thread_state
from node.db.types import utcnow
from node.db.upsert import insert_ignoring_conflict
from node.members.auth import verified_member
from node.members.pseudonyms import pseudonym_for, pseudonym_iri
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
from node.state import node_state

api = ApiRoutes(tag="polls")

MAX_POLL_DAYS = 90


@api.post(
    "/api/v1/cases/{local_id}/poll",
    summary="Add a poll to your case",
    request=PollIn,
    response=PollOut,
    status=201,
    errors=(403, 404, 409),
)
async def add_poll(request: web.Request) -> web.Response:
    member = verified_member(request)
    data = await read_json(request, PollIn)
    now = utcnow()
    if not now < data.closes_at <= now + timedelta(days=MAX_POLL_DAYS):
        raise Problem(
            422, f"closes_at must be in the next {MAX_POLL_DAYS} days.", slug="invalid-body"
        )
    state = node_state(request)
    async with state.db.write() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        require_author(member, case.author_member_id, "case")
        if await session.get(Poll, case.id) is not None:
            raise conflict("This case already has a poll.", "poll-exists")
        poll = create_poll(session, case.id, data)
        await session.flush()
        await publish_thread_state(session, state, case)
        out = poll_out(poll, voted=False)
    state.federation.delivery_due()
    return json_response(out, status=201)


@api.post(
    "/api/v1/cases/{local_id}/poll/votes",
    summary="Vote in a case's poll",
    request=VoteIn,
    response=VoteOut,
    status=201,
    errors=(403, 404, 409, 422),
)
async def vote(request: web.Request) -> web.Response:
    """One vote per member across the network: a second one is a 409."""
    member = verified_member(request)
    data = await read_json(request, VoteIn)
    state = node_state(request)
    async with state.db.write() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        poll = await session.get(Poll, case.id)
        if poll is None:
            raise Problem(404, "This case has no poll.", slug="not-found")
        try:
            choices = check_choices(poll, data.choices, now=utcnow())
        except VoteRefused as refused:
            raise Problem(422, str(refused), slug="vote-refused") from None
        voter = pseudonym_iri(
            state.config.base_url, pseudonym_for(state.secret, member.public_id, case.iri)
        )
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
            raise conflict("You already voted in this poll.", "already-voted")
        if case.is_local:
            count_vote(poll, choices)
            await publish_thread_state(session, state, case)
        else:
            base_url = state.config.base_url
            ballot = {
                "id": f"{base_url}/votes/{secrets.token_hex(10)}",
                "type": "Vote",
                "attributedTo": voter,
                "inReplyTo": poll_iri(case.iri),
                "choice": choices,
            }
            await publish(
                session,
                {
                    "@context": CONTEXT,
                    "id": new_activity_id(base_url),
                    "type": "Create",
                    "actor": voter,
                    "object": ballot,
                },
                recipient=case.origin,
            )
    state.federation.delivery_due()
    return json_response(VoteOut(choices=choices), status=201)
