"""Member and pseudonym actors, for trusted peers: who is behind an IRI, as far as
peers may know. A member actor carries the node's attestation (verified, specialty,
country, since when); a pseudonym actor only says "a physician this node verified"."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from federation.jsonld import CANONICAL_CONTEXT
from node.api.problems import not_found
from node.cases.models import Case, Reply
from node.discovery_routes import activity_response
from node.members.models import Member
from node.members.pseudonyms import pseudonym_iri
from node.network.authorized import require_peer
from node.state import NODE

routes = web.RouteTableDef()

# Statuses peers may learn; "pending" and "rejected" members never posted anything.
ANNOUNCED_STATUSES = frozenset({"verified", "suspended", "revoked"})


def member_actor(base_url: str, country: str, member: Member) -> dict[str, Any]:
    iri = f"{base_url}/members/{member.public_id}"
    attestation: dict[str, Any] = {
        "type": "Attestation",
        "verifiedBy": f"{base_url}/actor",
        "verificationStatus": member.status,
    }
    if member.verified_at is not None:
        attestation["verifiedSince"] = member.verified_at.isoformat().replace("+00:00", "Z")
    return {
        "@context": list(CANONICAL_CONTEXT),
        "id": iri,
        "type": "Person",
        "name": member.name,
        "specialty": [member.specialty],
        "country": country,
        "attestation": attestation,
    }


@routes.get("/members/{public_id}")
async def member_document(request: web.Request) -> web.Response:
    await require_peer(request)
    state = request.app[NODE]
    async with state.db.read() as session:
        member = await session.scalar(
            select(Member).where(Member.public_id == request.match_info["public_id"])
        )
    if member is None or member.status not in ANNOUNCED_STATUSES:
        raise not_found()
    return activity_response(member_actor(state.config.base_url, state.config.country, member))


@routes.get("/pseudonyms/{handle}")
async def pseudonym_document(request: web.Request) -> web.Response:
    await require_peer(request)
    state = request.app[NODE]
    iri = pseudonym_iri(state.config.base_url, request.match_info["handle"])
    async with state.db.read() as session:
        case = await session.scalar(select(Case).where(Case.author_iri == iri).limit(1))
        reply = (
            None
            if case
            else await session.scalar(select(Reply).where(Reply.author_iri == iri).limit(1))
        )
    post = case or reply
    if post is None:
        raise not_found()
    return activity_response(
        {
            "@context": list(CANONICAL_CONTEXT),
            "id": iri,
            "type": "Pseudonym",
            "name": request.match_info["handle"],
            "specialty": [post.author_specialty],
            "country": post.author_country,
            "attestation": {"type": "Attestation", "verifiedBy": f"{state.config.base_url}/actor"},
        }
    )
