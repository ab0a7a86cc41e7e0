"""Case IRIs dereference to their ActivityStreams objects, for trusted peers only."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from federation.jsonld import CANONICAL_CONTEXT
from node.api.problems import Problem, not_found
from node.cases.activities import case_object
from node.cases.models import Case, Tombstone
from node.cases.pages import case_page, wants_case_page
from node.discovery_routes import activity_response
from node.network.authorized import require_peer
from node.state import NODE

routes = web.RouteTableDef()


@routes.get("/cases/{local_id}")
async def case_document(request: web.Request) -> web.Response:
    if wants_case_page(request):
        # The case IRI is also the case's address in a browser: members get the page.
        return await case_page(request)
    await require_peer(request)
    state = request.app[NODE]
    iri = f"{state.config.base_url}/cases/{request.match_info['local_id']}"
    async with state.db.read() as session:
        case = await session.scalar(select(Case).where(Case.iri == iri, Case.is_local.is_(True)))
        if case is None:
            if await session.get(Tombstone, iri) is not None:
                return activity_response(
                    {"@context": list(CANONICAL_CONTEXT), "id": iri, "type": "Tombstone"},
                    status=410,
                )
            raise not_found()
        if case.audience != "federated":
            raise Problem(404, "No such resource.", slug="not-found")
        document = {"@context": list(CANONICAL_CONTEXT), **case_object(case)}
    return activity_response(document)
