"""Pages to sign up, confirm the email address, and ask for the link again."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from i18n.specialties import SPECIALTIES
from i18n.translate import N_, current_language, gettext
from node.accounts.login import begin_signup, wait_minutes
from node.accounts.mails import RESET_PATH, reply_then_send
from node.accounts.settings_pages import language_choices
from node.accounts.signup import SignUp, confirm_email, resend_confirmation, sign_up
from node.accounts.tokens import LinkProblem, LinkRefused
from node.db.types import utcnow
from node.members.passwords import MAX_LENGTH, MIN_LENGTH
from node.state import NODE
from node.web.templating import render

routes = web.RouteTableDef()
FIELDS = ("email", "name", "specialty", "password", "language")


def _field_messages() -> dict[str, str]:
    return {
        "email": gettext("Enter your email address, like name@example.org."),
        "name": gettext("Enter your full name (at most 200 characters)."),
        "specialty": gettext("Choose your specialty from the list."),
        "password": gettext("Use %(min)s to %(max)s characters.", min=MIN_LENGTH, max=MAX_LENGTH),
        "language": gettext("Choose one of the languages in the list."),
    }


def _form_page(
    request: web.Request,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    too_many: str | None = None,
) -> web.Response:
    context: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "too_many": too_many,
        "specialties": list(SPECIALTIES),
        "languages_named": language_choices(),
        "min_length": MIN_LENGTH,
    }
    return render(request, "accounts/signup.html", context, status=status)


@routes.get("/signup")
async def signup_form(request: web.Request) -> web.Response:
    return _form_page(request, {"language": current_language()}, {})


@routes.post("/signup")
async def signup(request: web.Request) -> web.StreamResponse:
    state = request.app[NODE]
    form = await request.post()
    values = {name: str(form.get(name, "")) for name in FIELDS}
    try:
        new = SignUp.model_validate(values)
    except ValidationError as error:
        messages = _field_messages()
        errors = {
            str(item["loc"][0]): messages.get(str(item["loc"][0]), gettext("Check this field."))
            for item in error.errors(include_url=False, include_input=False)
        }
        values["password"] = ""  # never echo a password back into the page
        return _form_page(request, values, errors, status=422)
    if (wait := begin_signup(state, request)) is not None:
        values["password"] = ""
        message = gettext(
            "Too many sign-ups from your network. Wait %(minutes)s minutes, then try again.",
            minutes=wait_minutes(wait),
        )
        response = _form_page(request, values, {}, status=429, too_many=message)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    mails = await sign_up(state, new, now=utcnow())
    # The same page whether or not the address already had an account.
    response = render(request, "accounts/check_email.html", {"email": new.email})
    return await reply_then_send(request, response, mails, purpose="signup")


_LINK_ERRORS = {
    LinkProblem.UNKNOWN: N_("This link is not valid. Check that you copied all of it."),
    LinkProblem.USED: N_("This link was already used. Links work only once."),
    LinkProblem.EXPIRED: N_("This link has expired. Ask for a new one below."),
}


def link_error(problem: LinkProblem) -> str:
    return gettext(_LINK_ERRORS[problem])


@routes.get("/confirm/{token}")
async def confirm(request: web.Request) -> web.Response:
    """Following the mailed link confirms the address: only its owner received it."""
    state = request.app[NODE]
    try:
        choose_password = await confirm_email(state, request.match_info["token"], now=utcnow())
    except LinkRefused as refused:
        context = {"error": link_error(refused.problem), "email": ""}
        return render(request, "accounts/resend.html", context, status=410)
    if choose_password is not None:
        # Signed up more than once: the password is chosen now, by the mailbox's owner.
        raise web.HTTPFound(f"{RESET_PATH}/{choose_password}")
    raise web.HTTPFound("/login?notice=confirmed")


@routes.get("/confirm")
async def resend_form(request: web.Request) -> web.Response:
    return render(request, "accounts/resend.html", {"error": None, "email": ""})


@routes.post("/confirm")
async def resend(request: web.Request) -> web.StreamResponse:
    state = request.app[NODE]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()[:320]
    mails = await resend_confirmation(state, email, now=utcnow())
    response = render(request, "accounts/check_email.html", {"email": email})
    return await reply_then_send(request, response, mails, purpose="confirm-again")
