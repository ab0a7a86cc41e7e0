"""The account emails, written in the member's language, and how they are sent.

Mails go out after the page has been answered: whether the address belongs to an
account changes which mail is sent (or whether one is), and the time an SMTP server
takes must not tell a visitor that (account enumeration by timing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from i18n.translate import activate, current_language, deactivate, gettext
from node.mail.sender import Mail, MailError, send_mail
from node.state import NodeState, node_state
from node.web.middleware import REQUEST_ID, REQUEST_ID_HEADER

# The password-reset pages (reset_pages.py), named here for the mails and the sign-up
# pages without an import cycle.
RESET_PATH = "/password/reset"


@contextmanager
def language(state: NodeState, code: str | None) -> Iterator[None]:
    """Write in ``code`` (a member's setting), else in the request's language."""
    token = activate(code or current_language(), state.catalogs.get(code or current_language()))
    try:
        yield
    finally:
        deactivate(token)


def confirmation_mail(
    state: NodeState, *, to: str, name: str, locale: str | None, token: str, hours: int
) -> Mail:
    node = state.config.name
    link = f"{state.config.base_url}/confirm/{token}"
    with language(state, locale):
        return Mail(
            to=to,
            subject=gettext("Confirm your email address for %(node)s", node=node),
            text=gettext(
                "Hello %(name)s,\n\n"
                "To finish signing up at %(node)s, open this link within %(hours)s hours:\n\n"
                "%(link)s\n\n"
                "If you did not sign up, ignore this message; no account will be opened.",
                name=name,
                node=node,
                hours=hours,
                link=link,
            ),
        )


def already_registered_mail(state: NodeState, *, to: str, name: str, locale: str | None) -> Mail:
    node = state.config.name
    login = f"{state.config.base_url}/login"
    reset = f"{state.config.base_url}{RESET_PATH}"
    with language(state, locale):
        return Mail(
            to=to,
            subject=gettext("You already have an account at %(node)s", node=node),
            text=gettext(
                "Hello %(name)s,\n\n"
                "Someone, probably you, tried to sign up at %(node)s with this email "
                "address. It already belongs to your account, so nothing was changed.\n\n"
                "Sign in: %(login)s\n"
                "Forgot your password? Choose a new one: %(reset)s\n\n"
                "If it was not you, ignore this message.",
                name=name,
                node=node,
                login=login,
                reset=reset,
            ),
        )


def reset_mail(
    state: NodeState, *, to: str, name: str, locale: str | None, token: str, minutes: int
) -> Mail:
    node = state.config.name
    link = f"{state.config.base_url}{RESET_PATH}/{token}"
    with language(state, locale):
        return Mail(
            to=to,
            subject=gettext("Choose a new password for %(node)s", node=node),
            text=gettext(
                "Hello %(name)s,\n\n"
                "To choose a new password for your account at %(node)s, open this link "
                "within %(minutes)s minutes:\n\n%(link)s\n\n"
                "Choosing a new password signs you out everywhere. If you did not ask for "
                "this, ignore this message; your password stays as it is.",
                name=name,
                node=node,
                minutes=minutes,
                link=link,
            ),
        )


async def reply_then_send(
    request: web.Request, response: web.Response, mails: list[Mail], *, purpose: str
) -> web.Response:
    """Send ``response`` to the browser, then the mails; return the sent response.

    aiohttp waits for a handler that is still running when the node shuts down, so a
    mail is not cut off mid-way; a mail server error is logged (without the address)
    and the member can ask for the link again.
    """
    request_id = request.get(REQUEST_ID)
    if request_id is not None:
        response.headers[REQUEST_ID_HEADER] = request_id
    await response.prepare(request)
    await response.write_eof()
    state = node_state(request)
    for mail in mails:
        try:
            await send_mail(state.config, mail)
        except MailError as error:
            state.log.warning(
                "account mail not sent", extra={"purpose": purpose, "error": type(error).__name__}
            )
    return response
