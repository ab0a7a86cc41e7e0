"""JSON API for replies: thin over node/cases/actions.py."""

from __future__ import annotations

from aiohttp import web

from node.api.bodies import json_response, read_json
from node.api.routing import ApiRoutes
from node.cases import actions
from node.cases.schemas import HelpfulOut, ReplyEdit, ReplyIn, ReplyOut
from node.members.auth import verified_member
from node.state import node_state

api = ApiRoutes(tag="replies")


@api.post(
    "/api/v1/cases/{local_id}/replies",
    summary="Reply to a case",
    request=ReplyIn,
    response=ReplyOut,
    status=201,
    errors=(403, 404),
)
async def post_reply(request: web.Request) -> web.Response:
    """A reply to another node's case goes to that node, which places it in the thread
    and relays it to every peer; until then it shows here as ``pending``."""
    member = verified_member(request)
    data = await read_json(request, ReplyIn)
    out = await actions.post_reply(
        node_state(request), member, request.match_info["local_id"], data
    )
    return json_response(out, status=201)


@api.patch(
    "/api/v1/replies/{local_id}",
    summary="Edit your reply",
    request=ReplyEdit,
    response=ReplyOut,
    errors=(403, 404),
)
async def edit_reply(request: web.Request) -> web.Response:
    member = verified_member(request)
    change = await read_json(request, ReplyEdit)
    out = await actions.edit_reply(
        node_state(request), member, request.match_info["local_id"], change
    )
    return json_response(out)


@api.delete("/api/v1/replies/{local_id}", summary="Delete a reply", status=204, errors=(403, 404))
async def delete_reply(request: web.Request) -> web.Response:
    """By its author, or by a moderator of the case's origin; deleted on every node."""
    member = verified_member(request)
    await actions.delete_reply(node_state(request), member, request.match_info["local_id"])
    return web.Response(status=204)


@api.post(
    "/api/v1/replies/{local_id}/helpful",
    summary="Mark a reply helpful",
    response=HelpfulOut,
    status=201,
    errors=(403, 404, 409),
)
async def mark_helpful(request: web.Request) -> web.Response:
    """Once per member across the network; the total is counted at the case's origin."""
    member = verified_member(request)
    out = await actions.mark_helpful(node_state(request), member, request.match_info["local_id"])
    return json_response(out, status=201)


@api.delete(
    "/api/v1/replies/{local_id}/helpful",
    summary="Take back your helpful mark",
    status=204,
    errors=(403, 404),
)
async def unmark_helpful(request: web.Request) -> web.Response:
    """404 ``not-marked`` if you had not marked it. The total is counted at the case's
    origin, which publishes the lower total to every peer."""
    member = verified_member(request)
    await actions.unmark_helpful(node_state(request), member, request.match_info["local_id"])
    return web.Response(status=204)
