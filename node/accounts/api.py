"""JSON API of the accounts feature: an admin signs a member out of every browser."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from i18n.translate import gettext
from node.accounts.sessions import admin_end_sessions
from node.api.bodies import json_response, read_json
from node.api.problems import not_found
from node.api.routing import ApiRoutes
from node.members.models import Member
from node.state import node_state
from node.verification.problems import admin

api = ApiRoutes(tag="accounts")


class EndSessionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000, description="Kept in the audit log")


class EndSessionsOut(BaseModel):
    public_id: str
    ended: int = Field(description="How many live browser sessions were ended")


@api.post(
    "/api/v1/admin/members/{public_id}/sessions/end",
    summary="Sign a member out of every browser (admins)",
    request=EndSessionsIn,
    response=EndSessionsOut,
    errors=(403, 404),
)
async def end_member_sessions(request: web.Request) -> web.Response:
    """Ends all the member's web sessions at once and revokes their API tokens;
    audited with you as the actor and your reason."""
    acting = admin(request)
    body = await read_json(request, EndSessionsIn)
    state = node_state(request)
    async with state.db.write() as session:
        target = await session.scalar(
            select(Member).where(Member.public_id == request.match_info["public_id"])
        )
        if target is None:
            raise not_found(gettext("No member with this id on this node."))
        ended = await admin_end_sessions(session, acting, target, reason=body.reason)
    return json_response(EndSessionsOut(public_id=target.public_id, ended=ended))
