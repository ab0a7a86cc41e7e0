"""JSON API for polls: thin over node/polls/actions.py."""

from __future__ import annotations

from aiohttp import web

from node.api.bodies import json_response, read_json
from node.api.routing import ApiRoutes
from node.cases.schemas import PollOut
from node.members.auth import verified_member
from node.polls import actions
from node.polls.schemas import PollIn, VoteIn, VoteOut
from node.state import node_state

api = ApiRoutes(tag="polls")


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
    out = await actions.add_poll(node_state(request), member, request.match_info["local_id"], data)
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
    out = await actions.vote(node_state(request), member, request.match_info["local_id"], data)
    return json_response(out, status=201)
