"""Bearer-token authentication for the JSON API.

The middleware only identifies the caller; handlers state what they require with
``current_member`` or ``verified_member``, so the rule sits next to the code it guards.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from i18n.translate import gettext
from node.api.problems import forbidden, unauthorized
from node.db.types import utcnow
from node.members.models import Member, Role
from node.members.service import mark_token_used, resolve_token
from node.state import NODE
from node.web.context import use_language

MEMBER_KEY = web.RequestKey("curbside_member", Member)


@web.middleware
async def bearer_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("Use 'Authorization: Bearer <token>'.")
        state = request.app[NODE]
        now = utcnow()
        async with state.db.read() as session:
            owner = await resolve_token(session, token.strip(), now=now)
        if owner is None:
            raise unauthorized(gettext("The token is unknown, expired or revoked."))
        if owner.needs_touch(now):
            async with state.db.write() as session:
                await mark_token_used(session, owner.token_id, now=now)
        request[MEMBER_KEY] = owner.member
        if owner.member.locale:
            use_language(request, owner.member.locale)
    return await handler(request)


def current_member(request: web.Request) -> Member:
    member = request.get(MEMBER_KEY)
    if member is None:
        raise unauthorized(gettext("This needs a bearer token."))
    return member


def verified_member(request: web.Request) -> Member:
    """Case content is for verified physicians only."""
    return _verified(current_member(request))


def _verified(member: Member) -> Member:
    if not member.is_verified:
        raise forbidden(
            gettext(
                "Your verification status is %(status)s; only verified members can do this. "
                "See GET /api/v1/me/verification for what to do next.",
                status=repr(member.status),
            ),
            slug="not-verified",
        )
    return member


def verified_moderator(request: web.Request) -> Member:
    """A moderator or an admin who is verified. A suspended or revoked one keeps the
    role on record but none of its powers (reports, reveals, decisions), whatever
    token they still hold: their own node no longer vouches for them."""
    member = current_member(request)
    if member.role not in (Role.MODERATOR, Role.ADMIN):
        raise forbidden(gettext("Moderators only."), slug="moderators-only")
    return _verified(member)


def verified_admin(request: web.Request) -> Member:
    member = current_member(request)
    if member.role != Role.ADMIN:
        raise forbidden(gettext("Administrators only."), slug="admins-only")
    return _verified(member)
