"""JSON API for search: ``GET /api/v1/search`` (cases with matching replies)."""

from __future__ import annotations

from aiohttp import web
from pydantic import ValidationError

from i18n.translate import gettext
from node.api.bodies import json_response
from node.api.problems import Problem
from node.api.routing import ApiRoutes
from node.members.auth import verified_member
from node.search.query import offset_of
from node.search.schemas import SearchQuery, SearchResults
from node.search.service import search
from node.state import node_state

api = ApiRoutes(tag="search")


def search_query_of(request: web.Request) -> SearchQuery:
    try:
        query = SearchQuery.model_validate(dict(request.query))
    except ValidationError as error:
        details = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        raise Problem(
            400, gettext("Some query parameters are invalid."), slug="invalid-query", errors=details
        ) from None
    if offset_of(query.cursor) is None:
        raise Problem(
            400,
            "cursor must be the next value of a previous page.",
            slug="invalid-query",
            errors=[{"field": "cursor", "message": "not a search cursor"}],
        )
    return query


@api.get(
    "/api/v1/search",
    summary="Search cases and replies",
    query=SearchQuery,
    response=SearchResults,
    errors=(400, 403),
)
async def get_search(request: web.Request) -> web.Response:
    """Full text over cases (title, history, question) and their replies, best match
    first. A case is found when its own text or one of its replies holds every term;
    each result carries highlighted excerpts and its best matching replies. Query
    syntax characters are ignored, never an error. ``GET /api/v1/cases?q=`` runs the
    same search and returns the cases alone."""
    member = verified_member(request)
    query = search_query_of(request)
    async with node_state(request).db.read_long() as session:
        return json_response(await search(session, query, polls_for=member.id))
