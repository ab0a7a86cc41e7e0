"""Pages every visitor meets: sign in, sign out, the home page."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from i18n.translate import gettext
from node.members.passwords import verify_password
from node.members.service import find_member_by_email
from node.state import NODE
from node.web.context import SESSION_TOKEN, page_member
from node.web.sessions import SESSION_COOKIE, end_session, start_session
from node.web.templating import render

routes = web.RouteTableDef()


def safe_next(value: object) -> str:
    """Only local paths: an open redirect after login is a phishing tool."""
    if not isinstance(value, str):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    return value


def login_redirect(request: web.Request) -> web.HTTPFound:
    return web.HTTPFound(f"/login?next={request.path_qs}")


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    return render(
        request, "login.html", {"next": safe_next(request.query.get("next")), "error": None}
    )


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    state = request.app[NODE]
    form = await request.post()
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    next_path = safe_next(form.get("next"))
    async with state.db.write() as session:
        member = await find_member_by_email(session, email) if email else None
        if (
            member is None
            or member.password_hash is None
            or not verify_password(member.password_hash, password)
        ):
            error = gettext("The email address or password is not right.")
            return render(
                request,
                "login.html",
                {"next": next_path, "error": error, "email": email},
                status=401,
            )
        token = await start_session(
            session, member, user_agent=request.headers.get("User-Agent", "")
        )
    response = web.HTTPFound(next_path)
    response.set_cookie(
        SESSION_COOKIE,
        state.session_keys.seal(token),
        httponly=True,
        samesite="Lax",
        secure=not state.config.insecure_http,
        max_age=14 * 24 * 3600,
    )
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    state = request.app[NODE]
    token = request.get(SESSION_TOKEN)
    if token is not None:
        async with state.db.write() as session:
            await end_session(session, token)
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE)
    raise response


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    member = page_member(request)
    if member is None:
        raise login_redirect(request)
    return render(request, "home.html", {})
