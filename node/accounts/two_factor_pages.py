"""Settings pages for two-factor authentication: set up, recovery codes, turn off."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from i18n.translate import gettext
from node.accounts.crypto import AccountKeys
from node.accounts.login import attempt_succeeded, begin_attempt, wait_minutes
from node.accounts.security import requires_two_factor, security_of, two_factor_enabled
from node.accounts.throttle import member_key
from node.accounts.two_factor import (
    begin_setup,
    disable,
    finish_setup,
    provisioning_qr_svg,
    provisioning_uri,
    replace_recovery_codes,
    unused_recovery_codes,
)
from node.db.types import utcnow
from node.members.models import Member
from node.members.passwords import verify_password_off_loop
from node.state import NODE, NodeState
from node.web.branding import with_product
from node.web.context import signed_in_page_member
from node.web.templating import render

routes = web.RouteTableDef()
SETTINGS_PATH = "/settings/two-factor"


def setup_context(state: NodeState, member: Member, secret: str, *, action: str) -> dict[str, Any]:
    issuer = with_product(state.config.name)  # not "Curbside Curbside United States"
    uri = provisioning_uri(secret, account=member.email, issuer=issuer)
    return {
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "uri": uri,
        "qr": provisioning_qr_svg(uri, title=gettext("QR code for your authenticator app")),
        "action": action,
        "error": None,
    }


async def _overview(
    request: web.Request, member: Member, *, status: int = 200, error: str | None = None
) -> web.Response:
    state = request.app[NODE]
    async with state.db.read() as session:
        row = await security_of(session, member.id)
        unused = await unused_recovery_codes(session, member.id)
    if not two_factor_enabled(row):
        async with state.db.write() as session:
            secret = await begin_setup(session, AccountKeys.from_secret(state.secret), member)
        context = setup_context(state, member, secret, action=f"{SETTINGS_PATH}/enable")
        context.update(error=error, required=requires_two_factor(member))
        return render(request, "accounts/two_factor_setup.html", context, status=status)
    context = {
        "unused": unused,
        "may_disable": not requires_two_factor(member),
        "error": error,
    }
    return render(request, "accounts/two_factor.html", context, status=status)


@routes.get(SETTINGS_PATH)
async def two_factor_page(request: web.Request) -> web.Response:
    return await _overview(request, signed_in_page_member(request))


@routes.post(f"{SETTINGS_PATH}/enable")
async def enable(request: web.Request) -> web.Response:
    state = request.app[NODE]
    member = signed_in_page_member(request)
    form = await request.post()
    if (wait := begin_attempt(state, request, member_key(member.id))) is not None:
        return await _overview(request, member, status=429, error=wait_text(wait))
    keys = AccountKeys.from_secret(state.secret)
    async with state.db.write() as session:
        codes = await finish_setup(session, keys, member, str(form.get("code", "")), now=utcnow())
    if codes is None:
        error = gettext("That code is not right. Check your device's clock and try again.")
        return await _overview(request, member, status=401, error=error)
    attempt_succeeded(state, request, member_key(member.id))
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "continue_to": SETTINGS_PATH}
    )


async def password_refusal(request: web.Request, member: Member) -> tuple[int, str] | None:
    """None if the form carries the member's password; else (status, error to show).

    Wrong passwords here count towards the same throttle as signing in: a session
    left open must not become a way to guess the password.
    """
    state = request.app[NODE]
    if (wait := begin_attempt(state, request, member_key(member.id))) is not None:
        return 429, wait_text(wait)
    form = await request.post()
    password = str(form.get("current_password", ""))
    if member.password_hash is None or not await verify_password_off_loop(
        member.password_hash, password
    ):
        return 403, gettext("Your current password is not right.")
    attempt_succeeded(state, request, member_key(member.id))
    return None


def wait_text(seconds: float) -> str:
    return gettext(
        "Too many failed attempts. Wait %(minutes)s minutes, then try again.",
        minutes=wait_minutes(seconds),
    )


@routes.post(f"{SETTINGS_PATH}/recovery-codes")
async def new_recovery_codes(request: web.Request) -> web.Response:
    state = request.app[NODE]
    member = signed_in_page_member(request)
    if (refusal := await password_refusal(request, member)) is not None:
        return await _overview(request, member, status=refusal[0], error=refusal[1])
    async with state.db.write() as session:
        row = await security_of(session, member.id)
        if not two_factor_enabled(row):
            raise web.HTTPFound(SETTINGS_PATH)
        codes = await replace_recovery_codes(
            session, AccountKeys.from_secret(state.secret), member, now=utcnow()
        )
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "continue_to": SETTINGS_PATH}
    )


@routes.post(f"{SETTINGS_PATH}/disable")
async def turn_off(request: web.Request) -> web.Response:
    state = request.app[NODE]
    member = signed_in_page_member(request)
    if requires_two_factor(member):
        error = gettext("Moderators and admins must keep two-factor authentication on.")
        return await _overview(request, member, status=403, error=error)
    if (refusal := await password_refusal(request, member)) is not None:
        return await _overview(request, member, status=refusal[0], error=refusal[1])
    async with state.db.write() as session:
        await disable(session, member)
    raise web.HTTPFound("/settings?notice=two-factor-off")
