"""Case and reply IRIs dereference to their ActivityStreams objects, for trusted peers
only; a deleted one answers 410 with its Tombstone."""

from __future__ import annotations

import json

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.jsonld import CANONICAL_CONTEXT
from node.api.problems import Problem, not_found
from node.cases.activities import case_object
from node.cases.models import Case, Reply, Tombstone
from node.cases.pages import case_page, wants_case_page
from node.discovery_routes import activity_response
from node.network.authorized import require_peer
from node.outbox.models import OutboxEntry
from node.state import NODE
from node.web.context import verified_page_member

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
            return await _tombstone_or_404(session, iri)
        if case.audience != "federated":
            raise Problem(404, "No such resource.", slug="not-found")
        document = {"@context": list(CANONICAL_CONTEXT), **case_object(case)}
    return activity_response(document)


@routes.get("/replies/{local_id}")
async def reply_document(request: web.Request) -> web.Response:
    """A reply written on this node: the Note as this node signed it, proof included,
    which is what the case's origin relays to every peer."""
    state = request.app[NODE]
    iri = f"{state.config.base_url}/replies/{request.match_info['local_id']}"
    if wants_case_page(request):
        # A browser following the IRI: the reply in its thread, for a verified member
        # (the case page decides whether they may see it; a visitor signs in first).
        verified_page_member(request)
        async with state.db.read() as session:
            place = await session.execute(
                select(Reply.local_id, Case.local_id)
                .join(Case, Reply.case_id == Case.id)
                .where(Reply.iri == iri)
            )
            found = place.first()
        if found is None:
            raise not_found()
        raise web.HTTPSeeOther(f"/cases/{found[1]}#reply-{found[0]}")
    await require_peer(request)
    async with state.db.read() as session:
        row = await session.execute(
            select(Reply.signed_note, Case.audience)
            .join(Case, Reply.case_id == Case.id)
            .where(Reply.iri == iri, Reply.is_local.is_(True))
        )
        found = row.first()
        if found is None:
            return await _tombstone_or_404(session, iri)
        signed_note, audience = found
    if audience != "federated":
        raise Problem(404, "No such resource.", slug="not-found")
    return activity_response(json.loads(signed_note))


async def _tombstone_or_404(session: AsyncSession, iri: str) -> web.Response:
    """410 with a Tombstone for a deleted object peers were sent; 404 for one of a
    node-only case, which no peer ever heard of (as while it existed)."""
    published = await session.scalar(
        select(OutboxEntry.seq).where(OutboxEntry.content_iri == iri).limit(1)
    )
    if published is not None and await session.get(Tombstone, iri) is not None:
        return activity_response(
            {"@context": list(CANONICAL_CONTEXT), "id": iri, "type": "Tombstone"},
            status=410,
        )
    raise not_found()
