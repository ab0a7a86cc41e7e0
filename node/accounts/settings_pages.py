"""The settings page: language, password, and links to two-factor and sessions."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from babel import Locale

from i18n.languages import SUPPORTED_LANGUAGES
from i18n.translate import N_, gettext
from node.accounts.credentials import WrongPassword, change_password
from node.accounts.login import attempt_succeeded, begin_attempt, wait_seconds
from node.accounts.security import security_of, two_factor_enabled
from node.accounts.throttle import member_key
from node.accounts.two_factor_pages import wait_text
from node.members.models import Member
from node.members.passwords import MAX_LENGTH, MIN_LENGTH
from node.members.service import set_locale
from node.state import NODE
from node.web.context import SESSION_TOKEN, signed_in_page_member, use_language
from node.web.templating import render

routes = web.RouteTableDef()

_NOTICES = {
    "language": N_("Your language is saved."),
    "password": N_("Your password is changed. Your other sessions were signed out."),
    "two-factor-off": N_("Two-factor authentication is off."),
}


def language_choices() -> list[tuple[str, str]]:
    """Each language in its own name, so a member can find theirs in any UI language."""
    return [
        (code, Locale.parse(code).get_display_name(code) or code) for code in SUPPORTED_LANGUAGES
    ]


async def _page(
    request: web.Request, member: Member, *, status: int = 200, **context: Any
) -> web.Response:
    state = request.app[NODE]
    async with state.db.read() as session:
        row = await security_of(session, member.id)
    notice = _NOTICES.get(request.query.get("notice", ""))
    page = {
        "languages_named": language_choices(),
        "two_factor_on": two_factor_enabled(row),
        "min_length": MIN_LENGTH,
        "notice": gettext(notice) if notice else None,
        "password_error": None,
        "language_error": None,
    }
    page.update(context)
    return render(request, "accounts/settings.html", page, status=status)


@routes.get("/settings")
async def settings(request: web.Request) -> web.Response:
    return await _page(request, signed_in_page_member(request))


@routes.post("/settings/language")
async def language(request: web.Request) -> web.Response:
    state = request.app[NODE]
    member = signed_in_page_member(request)
    form = await request.post()
    choice = str(form.get("language", ""))
    if choice not in ("", *SUPPORTED_LANGUAGES):
        error = gettext("Choose one of the languages in the list.")
        return await _page(request, member, status=422, language_error=error)
    async with state.db.write() as session:
        await set_locale(session, member.id, choice or None)
    if choice:
        use_language(request, choice)
    raise web.HTTPFound("/settings?notice=language")


@routes.post("/settings/password")
async def password(request: web.Request) -> web.Response:
    state = request.app[NODE]
    member = signed_in_page_member(request)
    if (wait := wait_seconds(state, request, member_key(member.id))) is not None:
        return await _page(request, member, status=429, password_error=wait_text(wait))
    form = await request.post()
    new = str(form.get("new_password", ""))
    if new != str(form.get("confirm_password", "")):
        error = gettext("The two new passwords are not the same.")
        return await _page(request, member, status=422, password_error=error)
    if (wait := begin_attempt(state, request, member_key(member.id))) is not None:
        return await _page(request, member, status=429, password_error=wait_text(wait))
    try:
        await change_password(
            state,
            member.id,
            str(form.get("current_password", "")),
            new,
            keep_token=request.get(SESSION_TOKEN),
        )
    except WrongPassword:
        error = gettext("Your current password is not right.")
        return await _page(request, member, status=403, password_error=error)
    except ValueError:
        # The current password was right (it is checked first): not a failed attempt.
        attempt_succeeded(state, request, member_key(member.id))
        error = gettext("Use %(min)s to %(max)s characters.", min=MIN_LENGTH, max=MAX_LENGTH)
        return await _page(request, member, status=422, password_error=error)
    attempt_succeeded(state, request, member_key(member.id))
    raise web.HTTPFound("/settings?notice=password")
