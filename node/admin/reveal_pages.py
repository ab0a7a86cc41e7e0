"""``/admin/reveal`` (admins): who wrote under a pseudonym, given a reason.

Every look-up is audited, found or not (node.moderation.actions.reveal). The answer is
shown in the response to the POST and never behind a GET: a URL that shows who is
behind a pseudonym could be reloaded, bookmarked or shared without a new audited
look-up, so this page does not redirect after the post.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from i18n.translate import gettext
from node.admin.access import (
    MODERATION_REASON_MIN,
    admin_page_member,
    form_errors,
    render_admin,
    validated,
)
from node.admin.links import post_links
from node.api.problems import Problem
from node.members.models import Member
from node.members.pseudonyms import PREFIX
from node.moderation import actions as moderation_actions
from node.moderation.schemas import RevealIn
from node.state import node_state

routes = web.RouteTableDef()
PATH = "/admin/reveal"
_IRI_PART = "/pseudonyms/"


def handle_of(typed: str) -> str:
    """The pseudonym's handle, whether the admin pasted the handle or its IRI."""
    typed = typed.strip()
    if _IRI_PART in typed:
        typed = typed.rsplit(_IRI_PART, 1)[1].split("?")[0].split("#")[0].strip("/")
    return typed


def _page(
    request: web.Request, member: Member, *, status: int = 200, **context: Any
) -> web.Response:
    page: dict[str, Any] = {
        "values": {"pseudonym": "", "reason": ""},
        "errors": {},
        "revealed": None,
        "threads": [],
        "handle": "",
    }
    page.update(context)
    return render_admin(request, member, "reveal", "admin/reveal.html", page, status=status)


@routes.get(PATH)
async def reveal_form(request: web.Request) -> web.Response:
    return _page(request, admin_page_member(request))


@routes.post(PATH)
async def reveal(request: web.Request) -> web.Response:
    member = admin_page_member(request)
    state = node_state(request)
    form = await request.post()
    values = {"pseudonym": str(form.get("pseudonym", "")), "reason": str(form.get("reason", ""))}
    handle = handle_of(values["pseudonym"])
    errors: dict[str, str] = {}
    if not handle.startswith(PREFIX) or len(handle) > 64:
        errors["pseudonym"] = gettext("Enter a pseudonym such as anon-abcde12345.")
    try:
        data = validated(RevealIn, form, "reason")
    except ValidationError as error:
        errors.update(form_errors(error, reason_min=MODERATION_REASON_MIN))
    if errors:
        return _page(request, member, status=422, values=values, errors=errors)
    try:
        revealed = await moderation_actions.reveal(
            state.db,
            base_url=state.config.base_url,
            handle=handle,
            actor=f"member:{member.public_id}",
            reason=data.reason,
        )
    except Problem as problem:
        if problem.status != 404:
            raise
        message = gettext(
            "No member of this node posted under this pseudonym. "
            "The look-up was recorded in the audit log all the same."
        )
        return _page(request, member, status=404, values=values, error=message)
    state.log.info("pseudonym revealed")  # who and to whom is in the audit log only
    async with state.db.read() as session:
        links = await post_links(session, revealed.threads)
    threads = [{"iri": iri, "href": links.get(iri)} for iri in revealed.threads]
    return _page(
        request,
        member,
        values={"pseudonym": handle, "reason": ""},
        revealed=revealed,
        handle=handle,
        threads=threads,
    )
