"""Pages to sign in (password, then the second factor) and to sign out."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from i18n.translate import N_, gettext
from node.accounts.crypto import AccountKeys
from node.accounts.login import (
    Next,
    attempt_succeeded,
    begin_attempt,
    check_password,
    open_session,
    set_session_cookie,
    wait_minutes,
)
from node.accounts.pending import (
    PENDING_COOKIE,
    PendingLogin,
    clear_pending_cookie,
    open_pending,
    password_stamp,
    seal_pending,
    set_pending_cookie,
)
from node.accounts.security import requires_two_factor, security_of, two_factor_enabled
from node.accounts.throttle import account_key, member_key
from node.accounts.two_factor import begin_setup, check_second_factor, finish_setup
from node.accounts.two_factor_pages import setup_context
from node.db.types import utcnow
from node.members.models import Member
from node.state import NODE, NodeState
from node.web.context import SESSION_TOKEN
from node.web.pages import safe_next
from node.web.sessions import SESSION_COOKIE, end_session
from node.web.templating import render

routes = web.RouteTableDef()


def _login_page(request: web.Request, status: int = 200, **context: Any) -> web.Response:
    context.setdefault("next", safe_next(request.query.get("next")))
    context.setdefault("error", None)
    context.setdefault("notice", None)
    context.setdefault("email", "")
    context.setdefault("unconfirmed", False)
    return render(request, "accounts/login.html", context, status=status)


def _too_many(request: web.Request, template: str, seconds: float, **context: Any) -> web.Response:
    error = gettext(
        "Too many failed attempts. Wait %(minutes)s minutes, then try again.",
        minutes=wait_minutes(seconds),
    )
    context.setdefault("notice", None)
    context.setdefault("unconfirmed", False)
    response = render(request, template, {**context, "error": error}, status=429)
    response.headers["Retry-After"] = str(int(seconds) + 1)
    return response


_NOTICES = {
    "confirmed": N_("Your email address is confirmed. Sign in to continue."),
    "reset": N_("Your password was changed and you were signed out everywhere. Sign in again."),
    "signed-out": N_("You are signed out."),
}


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    notice = _NOTICES.get(request.query.get("notice", ""))
    return _login_page(request, notice=gettext(notice) if notice else None)


@routes.post("/login")
async def login(request: web.Request) -> web.StreamResponse:
    state = request.app[NODE]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))
    next_path = safe_next(form.get("next"))
    page = {"next": next_path, "email": email}
    wait = begin_attempt(state, request, account_key(email))
    if wait is not None:
        return _too_many(request, "accounts/login.html", wait, **page)
    result = await check_password(state, email, password)
    if result.next is None or result.member is None:
        error = gettext("The email address or password is not right.")
        return _login_page(request, 401, error=error, **page)
    attempt_succeeded(state, request, account_key(email))
    member = result.member
    if result.next is Next.UNCONFIRMED:
        error = gettext(
            "Confirm your email address first: open the link we sent you when you signed up."
        )
        return _login_page(request, 403, error=error, unconfirmed=True, **page)
    if result.next is Next.SESSION:
        return await _finish(request, state, member, next_path)
    keys = AccountKeys.from_secret(state.secret)
    target = "/login/two-factor" if result.next is Next.TWO_FACTOR else "/login/two-factor/setup"
    response = web.HTTPFound(target)
    set_pending_cookie(response, state, seal_pending(keys, member, next_path))
    raise response


async def _finish(
    request: web.Request, state: NodeState, member: Member, next_path: str
) -> web.StreamResponse:
    token = await open_session(state, request, member)
    response = web.HTTPFound(next_path)
    set_session_cookie(response, state, token)
    clear_pending_cookie(response)
    raise response


async def _pending(request: web.Request) -> tuple[PendingLogin, Member]:
    """The half-done login this browser holds, still valid; else back to /login."""
    state = request.app[NODE]
    pending = open_pending(
        AccountKeys.from_secret(state.secret), request.cookies.get(PENDING_COOKIE)
    )
    member = None
    if pending is not None:
        async with state.db.read() as session:
            member = await session.get(Member, pending.member_id)
    if pending is None or member is None or password_stamp(member) != pending.stamp:
        response = web.HTTPFound("/login")
        clear_pending_cookie(response)
        raise response
    return pending, member


@routes.get("/login/two-factor")
async def second_factor_form(request: web.Request) -> web.Response:
    await _pending(request)
    return render(request, "accounts/second_factor.html", {"error": None})


@routes.post("/login/two-factor")
async def second_factor(request: web.Request) -> web.StreamResponse:
    state = request.app[NODE]
    pending, member = await _pending(request)
    form = await request.post()
    code = str(form.get("code", ""))
    wait = begin_attempt(state, request, member_key(member.id))
    if wait is not None:
        return _too_many(request, "accounts/second_factor.html", wait)
    keys = AccountKeys.from_secret(state.secret)
    async with state.db.write() as session:
        used = await check_second_factor(session, keys, member, code, now=utcnow())
    if used is None:
        error = gettext("That code is not right. Codes change every 30 seconds; try the new one.")
        return render(request, "accounts/second_factor.html", {"error": error}, status=401)
    attempt_succeeded(state, request, member_key(member.id))
    return await _finish(request, state, member, pending.next)


async def _needs_setup(state: NodeState, member: Member) -> bool:
    async with state.db.read() as session:
        row = await security_of(session, member.id)
    return requires_two_factor(member) and not two_factor_enabled(row)


@routes.get("/login/two-factor/setup")
async def setup_form(request: web.Request) -> web.Response:
    state = request.app[NODE]
    _pending_login, member = await _pending(request)
    if not await _needs_setup(state, member):
        raise web.HTTPFound("/login/two-factor")
    async with state.db.write() as session:
        secret = await begin_setup(session, AccountKeys.from_secret(state.secret), member)
    context = setup_context(state, member, secret, action="/login/two-factor/setup")
    return render(request, "accounts/two_factor_setup.html", context)


@routes.post("/login/two-factor/setup")
async def setup(request: web.Request) -> web.StreamResponse:
    state = request.app[NODE]
    pending, member = await _pending(request)
    if not await _needs_setup(state, member):
        raise web.HTTPFound("/login/two-factor")
    form = await request.post()
    keys = AccountKeys.from_secret(state.secret)
    wait = begin_attempt(state, request, member_key(member.id))
    async with state.db.write() as session:
        codes = None
        if wait is None:
            codes = await finish_setup(
                session, keys, member, str(form.get("code", "")), now=utcnow()
            )
        secret = await begin_setup(session, keys, member) if codes is None else ""
    if codes is None:
        context = setup_context(state, member, secret, action="/login/two-factor/setup")
        if wait is not None:
            return _too_many(request, "accounts/two_factor_setup.html", wait, **context)
        context["error"] = gettext(
            "That code is not right. Check your device's clock and try again."
        )
        return render(request, "accounts/two_factor_setup.html", context, status=401)
    attempt_succeeded(state, request, member_key(member.id))
    token = await open_session(state, request, member)
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "continue_to": pending.next}
    )
    set_session_cookie(response, state, token)
    clear_pending_cookie(response)
    return response


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    state = request.app[NODE]
    token = request.get(SESSION_TOKEN)
    if token is not None:
        async with state.db.write() as session:
            await end_session(session, token)
    response = web.HTTPFound("/login?notice=signed-out")
    response.del_cookie(SESSION_COOKIE)
    # Also a sign-in that waits for its second factor or the forced two-factor set-up
    # (a cookie on /login only, so the browser did not send it here).
    clear_pending_cookie(response)
    raise response
