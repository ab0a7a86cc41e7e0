"""Pages to reset a forgotten password through a mailed link."""

from __future__ import annotations

from aiohttp import web

from i18n.translate import gettext
from node.accounts.credentials import check_reset_link, request_reset, reset_password
from node.accounts.mails import RESET_PATH, reply_then_send
from node.accounts.signup_pages import link_error
from node.accounts.tokens import LinkRefused
from node.db.types import utcnow
from node.members.models import Member
from node.members.passwords import MAX_LENGTH, MIN_LENGTH
from node.state import NODE
from node.web.sessions import SESSION_COOKIE
from node.web.templating import render

routes = web.RouteTableDef()


@routes.get(RESET_PATH)
async def request_form(request: web.Request) -> web.Response:
    return render(request, "accounts/reset_request.html", {"error": None})


@routes.post(RESET_PATH)
async def request_link(request: web.Request) -> web.StreamResponse:
    state = request.app[NODE]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()[:320]
    mails = await request_reset(state, email, now=utcnow())
    # The same page whether or not the address has an account.
    context = {"email": email, "minutes": state.config.password_reset_minutes}
    response = render(request, "accounts/reset_sent.html", context)
    return await reply_then_send(request, response, mails, purpose="password-reset")


def _refused(request: web.Request, refused: LinkRefused) -> web.Response:
    context = {"error": link_error(refused.problem)}
    return render(request, "accounts/reset_request.html", context, status=410)


def _new_password_page(
    request: web.Request, error: str | None, status: int = 200, first: Member | None = None
) -> web.Response:
    context = {
        "error": error,
        "token": request.match_info["token"],
        "min_length": MIN_LENGTH,
        # An account without a password yet (signed up more than once, see signup.py):
        # its details, so that whoever chooses the password sees whose account it is.
        "first": first,
    }
    return render(request, "accounts/reset_password.html", context, status=status)


@routes.get(RESET_PATH + "/{token}")
async def new_password_form(request: web.Request) -> web.Response:
    """Only shows the form: mail scanners that open links must not use them up."""
    try:
        member = await check_reset_link(
            request.app[NODE], request.match_info["token"], now=utcnow()
        )
    except LinkRefused as refused:
        return _refused(request, refused)
    return _new_password_page(request, None, first=member if member.password_hash is None else None)


@routes.post(RESET_PATH + "/{token}")
async def set_new_password(request: web.Request) -> web.Response:
    state = request.app[NODE]
    form = await request.post()
    new = str(form.get("new_password", ""))
    if new != str(form.get("confirm_password", "")):
        return _new_password_page(
            request, gettext("The two new passwords are not the same."), status=422
        )
    if not MIN_LENGTH <= len(new) <= MAX_LENGTH:
        error = gettext("Use %(min)s to %(max)s characters.", min=MIN_LENGTH, max=MAX_LENGTH)
        return _new_password_page(request, error, status=422)
    try:
        await reset_password(state, request.match_info["token"], new, now=utcnow())
    except LinkRefused as refused:
        return _refused(request, refused)
    response = web.HTTPFound("/login?notice=reset")
    response.del_cookie(SESSION_COOKIE)
    raise response
