"""JSON API: the member behind the token."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel

from node.api.bodies import json_response
from node.api.routing import ApiRoutes
from node.members.auth import current_member
from node.members.models import Member
from node.state import node_state

api = ApiRoutes(tag="members")


class MeOut(BaseModel):
    id: str
    public_id: str
    email: str
    name: str
    specialty: str
    role: str
    status: str
    locale: str | None
    created_at: datetime
    verified_at: datetime | None


def member_actor_id(base_url: str, member: Member) -> str:
    return f"{base_url}/members/{member.public_id}"


@api.get("/api/v1/me", summary="The member the bearer token belongs to", response=MeOut)
async def me(request: web.Request) -> web.Response:
    """Your own account on this node, including your verification status."""
    member = current_member(request)
    base_url = node_state(request).config.base_url
    return json_response(
        MeOut(
            id=member_actor_id(base_url, member),
            public_id=member.public_id,
            email=member.email,
            name=member.name,
            specialty=member.specialty,
            role=member.role,
            status=member.status,
            locale=member.locale,
            created_at=member.created_at,
            verified_at=member.verified_at,
        )
    )
