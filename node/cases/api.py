"""JSON API: posting, listing and reading cases."""

from __future__ import annotations

from aiohttp import web
from pydantic import ValidationError

from node.api.bodies import json_response, read_json
from node.api.problems import Problem, not_found
from node.api.routing import ApiRoutes
from node.cases.activities import case_object, create_activity
from node.cases.schemas import Audience, CaseIn, CaseList, CaseOut, CaseQuery
from node.cases.service import case_out, create_local_case, get_case, list_cases
from node.members.auth import verified_member
from node.outbox.publish import publish
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
    state = node_state(request)
    config = state.config
    async with state.db.write() as session:
        case = await create_local_case(
            session,
            member=member,
            data=data,
            base_url=config.base_url,
            country=config.country,
            secret=state.secret,
        )
        if data.audience is Audience.FEDERATED:
            await publish(session, create_activity(case_object(case), base_url=config.base_url))
        out = case_out(case)
    if data.audience is Audience.FEDERATED:
        state.federation.delivery_due()
    return json_response(out, status=201)


def _query(request: web.Request) -> CaseQuery:
    try:
        return CaseQuery.model_validate(dict(request.query))
    except ValidationError as error:
        details = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        raise Problem(
            400, "Some query parameters are invalid.", slug="invalid-query", errors=details
        ) from None


@api.get(
    "/api/v1/cases", summary="List cases", query=CaseQuery, response=CaseList, errors=(400, 403)
)
async def get_cases(request: web.Request) -> web.Response:
    """Newest first; filter with ``q``, ``specialty`` and ``status``; page with ``before``."""
    verified_member(request)
    query = _query(request)
    async with node_state(request).db.read() as session:
        return json_response(await list_cases(session, query))


@api.get(
    "/api/v1/cases/{local_id}",
    summary="One case with its replies",
    response=CaseOut,
    errors=(403, 404),
)
async def get_one_case(request: web.Request) -> web.Response:
    verified_member(request)
    async with node_state(request).db.read() as session:
        case = await get_case(session, request.match_info["local_id"])
        if case is None:
            raise not_found("No such case (it may have been deleted).")
        return json_response(case_out(case))
