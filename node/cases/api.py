"""JSON API for cases: thin over node/cases/actions.py."""

from __future__ import annotations

from aiohttp import web

from node.api.bodies import json_response, read_json, read_query
from node.api.problems import Problem
from node.api.routing import ApiRoutes
from node.cases import actions
from node.cases.schemas import (
    CaseDetail,
    CaseEdit,
    CaseIn,
    CaseList,
    CaseOut,
    CaseQuery,
    ResolutionIn,
    ResolutionOut,
)
from node.cases.service import list_cases
from node.members.auth import verified_member
from node.search.query import offset_of
from node.state import node_state

api = ApiRoutes(tag="cases")


@api.post(
    "/api/v1/cases",
    summary="Post a case",
    request=CaseIn,
    response=CaseOut,
    status=201,
    errors=(403,),
)
async def post_case(request: web.Request) -> web.Response:
    """Audience ``federated`` sends the case to every peer node; ``node`` keeps it here."""
    member = verified_member(request)
    data = await read_json(request, CaseIn)
    return json_response(await actions.post_case(node_state(request), member, data), status=201)


@api.get(
    "/api/v1/cases", summary="List cases", query=CaseQuery, response=CaseList, errors=(400, 403)
)
async def get_cases(request: web.Request) -> web.Response:
    """Newest first; filter with ``q``, ``specialty`` and ``status``; page with ``before``."""
    member = verified_member(request)
    query = read_query(request, CaseQuery)
    if query.q and query.before and offset_of(query.before) is None:
        # A search pages by rank; a case id (or anything else) does not say where.
        raise Problem(
            400,
            "With q, before must be the next value of a previous page of the search.",
            slug="invalid-query",
            errors=[{"field": "before", "message": "not a search cursor"}],
        )
    db = node_state(request).db
    # With q it is a full-text search: see Database.read_long.
    async with db.read_long() if query.q else db.read() as session:
        return json_response(await list_cases(session, query, polls_for=member.id))


@api.get(
    "/api/v1/cases/{local_id}",
    summary="One case with its replies",
    response=CaseDetail,
    errors=(403, 404),
)
async def get_one_case(request: web.Request) -> web.Response:
    """Opening a case counts one view per member."""
    member = verified_member(request)
    return json_response(
        await actions.read_case(node_state(request), member, request.match_info["local_id"])
    )


@api.patch(
    "/api/v1/cases/{local_id}",
    summary="Edit your case",
    request=CaseEdit,
    response=CaseOut,
    errors=(403, 404),
)
async def edit_case(request: web.Request) -> web.Response:
    """The previous text is kept as a revision on every node."""
    member = verified_member(request)
    change = await read_json(request, CaseEdit)
    return json_response(
        await actions.edit_case(node_state(request), member, request.match_info["local_id"], change)
    )


@api.delete("/api/v1/cases/{local_id}", summary="Delete a case", status=204, errors=(403, 404))
async def delete_case(request: web.Request) -> web.Response:
    """By its author or a moderator. A case posted here is deleted on every node; a
    moderator of another node can only remove it from that node."""
    member = verified_member(request)
    await actions.delete_case(node_state(request), member, request.match_info["local_id"])
    return web.Response(status=204)


@api.post(
    "/api/v1/cases/{local_id}/resolution",
    summary="Resolve your case",
    request=ResolutionIn,
    response=ResolutionOut,
    status=201,
    errors=(403, 404, 409),
)
async def resolve_case(request: web.Request) -> web.Response:
    """Accept the reply that solved it, with a short outcome; resolved on every node."""
    member = verified_member(request)
    data = await read_json(request, ResolutionIn)
    out = await actions.resolve_case(
        node_state(request), member, request.match_info["local_id"], data
    )
    return json_response(out, status=201)
