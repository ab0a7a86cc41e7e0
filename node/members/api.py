"""JSON API: the member behind the token."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, ConfigDict, field_validator

from i18n.languages import SUPPORTED_LANGUAGES
from node.api.bodies import json_response, read_json
from node.api.routing import ApiRoutes
from node.members.auth import current_member
from node.members.models import Member
from node.members.service import set_locale
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


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: str | None

    @field_validator("locale")
    @classmethod
    def _supported(cls, value: str | None) -> str | None:
        if value is not None and value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"unsupported language; use one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value


def _me(base_url: str, member: Member) -> MeOut:
    return MeOut(
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


@api.get("/api/v1/me", summary="The member the bearer token belongs to", response=MeOut)
async def me(request: web.Request) -> web.Response:
    """Your own account on this node, including your verification status."""
    return json_response(_me(node_state(request).config.base_url, current_member(request)))


@api.patch("/api/v1/me", summary="Change your own settings", request=MeUpdate, response=MeOut)
async def update_me(request: web.Request) -> web.Response:
    """Set your UI language (``null`` follows your browser's Accept-Language)."""
    member = current_member(request)
    change = await read_json(request, MeUpdate)
    state = node_state(request)
    async with state.db.write() as session:
        updated = await set_locale(session, member.id, change.locale)
    return json_response(_me(state.config.base_url, updated))
