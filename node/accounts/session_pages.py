"""Your active sessions, with "sign out" per session and "sign out everywhere else";
and the admin page that signs a member out everywhere."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from i18n.translate import N_, gettext
from node.accounts.credentials import end_other_sessions
from node.accounts.sessions import active_sessions, admin_end_sessions, end_session_of
from node.api.numbers import path_id
from node.api.problems import Problem
from node.db.types import utcnow
from node.members.models import Member, Role
from node.state import NODE
from node.web.context import SESSION_TOKEN, signed_in_page_member
from node.web.sessions import SESSION_COOKIE
from node.web.templating import render

routes = web.RouteTableDef()
SESSIONS_PATH = "/settings/sessions"

_NOTICES = {
    "ended": N_("The session was signed out."),
    "others": N_("Your other sessions were signed out."),
}


@routes.get(SESSIONS_PATH)
async def sessions_page(request: web.Request) -> web.Response:
    state = request.app[NODE]
    member = signed_in_page_member(request)
    async with state.db.read() as session:
        rows = await active_sessions(
            session, member.id, now=utcnow(), current_token=request.get(SESSION_TOKEN)
        )
    notice = _NOTICES.get(request.query.get("notice", ""))
    context = {"sessions": rows, "notice": gettext(notice) if notice else None}
    return render(request, "accounts/sessions.html", context)


@routes.post(SESSIONS_PATH + "/{session_id:\\d+}/end")
async def end_one(request: web.Request) -> web.Response:
    state = request.app[NODE]
    member = signed_in_page_member(request)
    session_id = path_id(request, "session_id")
    async with state.db.write() as session:
        ended = await end_session_of(session, member.id, session_id, now=utcnow())
    if not ended:
        raise web.HTTPNotFound()
    raise web.HTTPFound(SESSIONS_PATH + "?notice=ended")


@routes.post(SESSIONS_PATH + "/end-others")
async def end_others(request: web.Request) -> web.Response:
    state = request.app[NODE]
    member = signed_in_page_member(request)
    async with state.db.write() as session:
        await end_other_sessions(session, member.id, request.get(SESSION_TOKEN))
    raise web.HTTPFound(SESSIONS_PATH + "?notice=others")


def _admin(request: web.Request) -> Member:
    member = signed_in_page_member(request)
    if member.role != Role.ADMIN or not member.is_verified:
        raise Problem(403, gettext("Only admins can do this."), slug="admins-only")
    return member


async def _target(request: web.Request) -> Member:
    async with request.app[NODE].db.read() as session:
        target = await session.scalar(
            select(Member).where(Member.public_id == request.match_info["public_id"])
        )
    if target is None:
        raise web.HTTPNotFound()
    return target


@routes.get("/admin/members/{public_id}/sessions")
async def admin_sessions_page(request: web.Request) -> web.Response:
    _admin(request)
    target = await _target(request)
    async with request.app[NODE].db.read() as session:
        rows = await active_sessions(session, target.id, now=utcnow(), current_token=None)
    context = {"target": target, "sessions": rows, "ended": None, "error": None}
    return render(request, "accounts/admin_sessions.html", context)


@routes.post("/admin/members/{public_id}/sessions/end")
async def admin_end(request: web.Request) -> web.Response:
    admin = _admin(request)
    target = await _target(request)
    form = await request.post()
    reason = str(form.get("reason", "")).strip()
    state = request.app[NODE]
    if not reason:
        async with state.db.read() as session:
            rows = await active_sessions(session, target.id, now=utcnow(), current_token=None)
        error = gettext("Give a reason; it is kept in the audit log.")
        context = {"target": target, "sessions": rows, "ended": None, "error": error}
        return render(request, "accounts/admin_sessions.html", context, status=422)
    async with state.db.write() as session:
        ended = await admin_end_sessions(session, admin, target, reason=reason[:2000])
    context = {"target": target, "sessions": [], "ended": ended, "error": None}
    response = render(request, "accounts/admin_sessions.html", context)
    if target.id == admin.id:  # the admin signed themselves out too
        response.del_cookie(SESSION_COOKIE)
    return response
