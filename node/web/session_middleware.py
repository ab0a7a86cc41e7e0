"""Middlewares for pages: language, the login session, and CSRF checks on forms."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from aiohttp import web
from aiohttp.typedefs import Handler

from federation.text import unstorable
from i18n.negotiation import choose_language
from i18n.translate import gettext
from node.api.problems import Problem
from node.db.types import utcnow
from node.state import NODE
from node.web.context import (
    ANON_BINDING,
    PAGE_MEMBER,
    SESSION_TOKEN,
    csrf_binding,
    is_page_request,
    use_language,
)
from node.web.sessions import ANON_COOKIE, SESSION_COOKIE, resolve_session, touch_session

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@web.middleware
async def negotiate_language(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Accept-Language or the node default; a signed-in member's setting wins later."""
    state = request.app[NODE]
    use_language(
        request,
        choose_language(
            member_setting=None,
            accept_language=request.headers.get("Accept-Language"),
            default=state.config.locale,
        ),
    )
    return await handler(request)


@web.middleware
async def web_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_page_request(request):
        return await handler(request)
    state = request.app[NODE]
    sealed = request.cookies.get(SESSION_COOKIE)
    token = state.session_keys.open(sealed) if sealed else None
    if token is not None:
        now = utcnow()
        async with state.db.read() as session:
            active = await resolve_session(session, token, now=now)
        if active is not None:
            request[PAGE_MEMBER] = active.member
            request[SESSION_TOKEN] = token
            if active.member.locale:
                use_language(request, active.member.locale)
            if active.needs_touch(now):
                async with state.db.write() as session:
                    await touch_session(session, active.id, now=now)
    anon = request.cookies.get(ANON_COOKIE)
    fresh_anon = None
    if anon is None:
        fresh_anon = anon = secrets.token_urlsafe(24)
    request[ANON_BINDING] = anon
    if request.method in UNSAFE_METHODS:
        await _check_csrf(request)
    response = await handler(request)
    if fresh_anon is not None and not response.prepared:
        response.set_cookie(
            ANON_COOKIE,
            fresh_anon,
            httponly=True,
            samesite="Lax",
            secure=not state.config.insecure_http,
        )
    return response


def _check_form_text(values: Iterable[object]) -> None:
    """Every page form passes here first: refuse text no database can store (see
    node.api.storable) before a handler puts it in a statement."""
    for value in values:
        reason = unstorable(value) if isinstance(value, str) else None
        if reason is not None:
            raise Problem(422, gettext("A field contains characters that cannot be stored."))


async def _check_csrf(request: web.Request) -> None:
    if request.content_type == "multipart/form-data":
        # File uploads are streamed by their handler; reading the body here would
        # buffer the file and cap it at max_body_bytes. Upload forms carry the token
        # in their action URL instead (?csrf_token=...).
        offered: object = request.query.get("csrf_token")
    else:
        form = await request.post()
        offered = form.get("csrf_token")
        _check_form_text(form.values())
    keys = request.app[NODE].session_keys
    if not isinstance(offered, str) or not keys.csrf_ok(csrf_binding(request), offered):
        raise Problem(
            403,
            gettext("This form has expired or did not come from this site. Reload and try again."),
            slug="csrf",
        )
