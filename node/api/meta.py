"""JSON API about the API itself: health, the OpenAPI document, reference lists."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from i18n.jinja import specialty_name
from i18n.specialties import SPECIALTIES
from node import __version__
from node.api.bodies import json_response
from node.api.openapi import build_openapi
from node.api.problems import Problem
from node.api.routing import ApiRoutes, Operation
from node.db.engine import DatabaseUnavailable
from node.state import NODE, node_state

api = ApiRoutes(tag="meta")

OPERATIONS = web.AppKey("curbside_operations", tuple[Operation, ...])


class Health(BaseModel):
    status: str


class Specialty(BaseModel):
    code: str
    name: str


class SpecialtyList(BaseModel):
    items: list[Specialty]


@api.get(
    "/healthz",
    summary="Liveness and database reachability",
    auth=False,
    response=Health,
    errors=(503,),
)
async def healthz(request: web.Request) -> web.Response:
    """200 when the node serves requests and its database answers."""
    try:
        await node_state(request).db.ping()
    except DatabaseUnavailable:
        # The reason may name hosts; keep it in the node's log, not in a public reply.
        node_state(request).log.warning("health check: database unavailable")
        raise Problem(503, "The database is unavailable.", slug="unavailable") from None
    return json_response(Health(status="ok"))


@api.get("/api/v1/openapi.json", summary="This OpenAPI document", auth=False)
async def openapi(request: web.Request) -> web.Response:
    state = request.app[NODE]
    operations: tuple[Operation, ...] = request.app[OPERATIONS]
    document = build_openapi(
        operations,
        title=f"Curbside API — {state.config.name}",
        version=__version__,
        server=state.config.base_url,
    )
    return json_response(document)


@api.get(
    "/api/v1/specialties",
    summary="Specialty codes and their names",
    auth=False,
    response=SpecialtyList,
)
async def specialties(request: web.Request) -> web.Response:
    """Stable lowercase codes; the names are in the request's language."""
    items = [Specialty(code=code, name=specialty_name(code)) for code in SPECIALTIES]
    return json_response(SpecialtyList(items=items))
