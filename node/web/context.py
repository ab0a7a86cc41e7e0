"""What every page knows about its request: language, member, CSRF token, paths.

Web pages authenticate with the session cookie; the JSON API only ever with bearer
tokens (a cookie-authenticated API would be open to cross-site request forgery).
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from i18n.translate import activate
from node.members.models import Member
from node.state import NODE

PAGE_MEMBER = web.RequestKey("curbside_page_member", Member)
SESSION_TOKEN = web.RequestKey("curbside_session_token", str)
ANON_BINDING = web.RequestKey("curbside_anon_binding", str)
LANGUAGE = web.RequestKey("curbside_language", str)

# Paths that belong to the protocol or the JSON API, never to the web UI.
MACHINE_PREFIXES = (
    "/api/",
    "/inbox",
    "/outbox",
    "/actor",
    "/.well-known/",
    "/nodeinfo",
    "/healthz",
)


def is_page_request(request: web.Request) -> bool:
    return not request.path.startswith(MACHINE_PREFIXES) and not request.path.startswith("/static/")


def wants_html(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and is_page_request(request)


def use_language(request: web.Request, code: str) -> None:
    state = request.app[NODE]
    activate(code, state.catalogs.get(code))
    request[LANGUAGE] = code


def page_member(request: web.Request) -> Member | None:
    return request.get(PAGE_MEMBER)


def signed_in_page_member(request: web.Request) -> Member:
    """The signed-in member, whatever their verification status; else to the login page.

    For account pages (settings, sessions, the verification status page itself).
    """
    member = page_member(request)
    if member is None:
        raise web.HTTPFound("/login?next=" + quote(request.path_qs, safe="/"))
    return member


def verified_page_member(request: web.Request) -> Member:
    """The signed-in, verified member; anyone else is sent away (issue 5's access rule).

    Every page that shows or changes case content calls this first: a visitor goes
    to the login page, a member who is not verified (pending, rejected, suspended,
    revoked) to their verification status page, which says what to do next.
    """
    member = signed_in_page_member(request)
    if not member.is_verified:
        raise web.HTTPFound("/verification")
    return member


def csrf_binding(request: web.Request) -> str:
    """What this visitor's CSRF token is tied to: the session, or the anonymous cookie."""
    token = request.get(SESSION_TOKEN)
    if token is not None:
        return token
    return request.get(ANON_BINDING, "")


def csrf_token(request: web.Request) -> str:
    return request.app[NODE].session_keys.csrf_token(csrf_binding(request))
