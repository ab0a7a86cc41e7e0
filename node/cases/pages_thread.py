"""Forms on the case page: replies, helpful marks (and taking them back), the poll,
votes and the resolution.

Each handler validates with the API's model, calls the shared action, and redirects
back to the case (POST, redirect, GET). A refusal re-renders the case page with the
member's input kept, the message, and the refusal's status code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from i18n.translate import gettext
from node.api.numbers import whole_number
from node.api.problems import Problem
from node.cases import actions
from node.cases.access import case_or_404, is_moderator, reply_or_404
from node.cases.pages_case import POLL_DURATIONS, FormState, render_case_page
from node.cases.pages_forms import (
    acknowledgements,
    apply_redaction,
    field_errors,
    findings,
    flag,
    optional,
    redaction,
    refusal,
    scan_findings,
    text,
    texts,
    yes_no,
)
from node.cases.schemas import ReplyEdit, ReplyIn, ResolutionIn
from node.db.types import utcnow
from node.members.models import Member
from node.polls import actions as poll_actions
from node.polls.schemas import PollIn, VoteIn
from node.state import NodeState, node_state
from node.web.context import verified_page_member
from node.web.templating import render

routes = web.RouteTableDef()


def _check_fields() -> str:
    return gettext("Please correct the fields marked below.")


async def _show_refusal(
    request: web.Request, member: Member, local_id: str, problem: Problem, form: FormState
) -> web.Response:
    if problem.status == 404:
        raise problem  # the case is gone: the error page says so
    form.message = refusal(problem)
    form.findings = findings(problem)
    return await render_case_page(request, member, local_id, status=problem.status, form=form)


def _kept(acks: list[dict[str, str]]) -> list[str]:
    return [f"{ack['kind']}:{ack['text']}" for ack in acks]


@routes.post("/cases/{local_id}/replies")
async def post_reply(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    local_id = request.match_info["local_id"]
    form = await request.post()
    values: dict[str, Any] = {
        "content": text(form, "content"),
        "anonymous": flag(form, "anonymous"),
        "in_reply_to": optional(form, "in_reply_to"),
    }
    acks = acknowledgements(form)
    state = FormState("reply", values, acknowledged=_kept(acks))
    where = redaction(form)
    if where is not None and apply_redaction(values, where):
        # One click replaced a detail: show the reply again, still unposted, re-checked.
        async with node_state(request).db.read() as session:
            language = (await case_or_404(session, local_id)).language
        state.findings = scan_findings({"content": values["content"]}, language)
        state.message = gettext("The detail was replaced by […]. Check the text, then post it.")
        return await render_case_page(request, member, local_id, form=state)
    try:
        data = ReplyIn.model_validate({**values, "acknowledged_findings": acks})
    except ValidationError as error:
        state.errors, state.message = field_errors(error), _check_fields()
        return await render_case_page(request, member, local_id, status=422, form=state)
    try:
        reply = await actions.post_reply(node_state(request), member, local_id, data)
    except Problem as problem:
        return await _show_refusal(request, member, local_id, problem, state)
    raise web.HTTPSeeOther(f"/cases/{local_id}#reply-{reply.local_id}")


@routes.post("/cases/{local_id}/resolution")
async def resolve(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    local_id = request.match_info["local_id"]
    form = await request.post()
    values = {
        "accepted_reply": text(form, "accepted_reply"),
        "summary": text(form, "summary"),
        "found_what_needed": text(form, "found_what_needed"),
    }
    state = FormState("resolution", values)
    found = yes_no(form, "found_what_needed")
    submitted = {
        "accepted_reply": values["accepted_reply"],
        "summary": values["summary"],
        **({"found_what_needed": found} if found is not None else {}),
    }
    try:
        data = ResolutionIn.model_validate(submitted)
    except ValidationError as error:
        state.errors, state.message = field_errors(error), _check_fields()
        return await render_case_page(request, member, local_id, status=422, form=state)
    try:
        await actions.resolve_case(node_state(request), member, local_id, data)
    except Problem as problem:
        return await _show_refusal(request, member, local_id, problem, state)
    raise web.HTTPSeeOther(f"/cases/{local_id}#resolution")


@routes.post("/cases/{local_id}/poll")
async def add_poll(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    local_id = request.match_info["local_id"]
    form = await request.post()
    option_lines, closes_in = text(form, "options"), text(form, "closes_in")
    values: dict[str, Any] = {
        "question": text(form, "question"),
        "options": option_lines,
        "multiple": flag(form, "multiple"),
        "closes_in": closes_in,
    }
    state = FormState("poll", values)
    options = [line.strip() for line in option_lines.splitlines() if line.strip()]
    hours = whole_number(closes_in) or 0
    errors = {}
    if hours not in POLL_DURATIONS:
        errors["closes_in"] = gettext("Please choose one of the options.")
    try:
        data = PollIn.model_validate(
            {
                "question": values["question"],
                "options": options,
                "multiple": values["multiple"],
                "closes_at": utcnow() + timedelta(hours=hours or POLL_DURATIONS[0]),
            }
        )
    except ValidationError as error:
        errors = {**field_errors(error), **errors}
    if errors:
        state.errors, state.message = errors, _check_fields()
        return await render_case_page(request, member, local_id, status=422, form=state)
    try:
        await poll_actions.add_poll(node_state(request), member, local_id, data)
    except Problem as problem:
        return await _show_refusal(request, member, local_id, problem, state)
    raise web.HTTPSeeOther(f"/cases/{local_id}#poll")


@routes.post("/cases/{local_id}/poll/votes")
async def vote(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    local_id = request.match_info["local_id"]
    form = await request.post()
    choices = [
        choice for value in texts(form, "choice") if (choice := whole_number(value)) is not None
    ]
    state = FormState("vote", {"choices": choices})
    try:
        data = VoteIn.model_validate({"choices": choices})
    except ValidationError as error:
        state.errors, state.message = field_errors(error), _check_fields()
        return await render_case_page(request, member, local_id, status=422, form=state)
    try:
        await poll_actions.vote(node_state(request), member, local_id, data)
    except Problem as problem:
        return await _show_refusal(request, member, local_id, problem, state)
    raise web.HTTPSeeOther(f"/cases/{local_id}#poll")


# --- one reply ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyPlace:
    """A reply, with what its pages need to know about it and its case."""

    reply_id: str
    case_local_id: str
    case_title: str
    content: str
    own: bool
    may_delete: bool


async def _reply_place(
    request: web.Request, member: Member, *, deleting: bool = False
) -> ReplyPlace:
    async with node_state(request).db.read() as session:
        reply, case = await reply_or_404(
            session, request.match_info["reply_id"], deleting_as=member if deleting else None
        )
        own = reply.author_member_id == member.id
        return ReplyPlace(
            reply_id=reply.local_id,
            case_local_id=case.local_id,
            case_title=case.title,
            content=reply.content,
            own=own,
            # Offer the step only to those the delete action would allow.
            may_delete=(own or is_moderator(member)) and (reply.is_local or case.is_local),
        )


def _not_author() -> Problem:
    return Problem(403, gettext("Only the author can do that."), slug="not-author")


@routes.post("/replies/{reply_id}/helpful")
async def mark_helpful(request: web.Request) -> web.Response:
    return await _helpful_form(request, actions.mark_helpful)


@routes.post("/replies/{reply_id}/helpful/undo")
async def unmark_helpful(request: web.Request) -> web.Response:
    # Not marked (any more): a second click, or another tab took it back already;
    # either way the member has what they asked for.
    return await _helpful_form(request, actions.unmark_helpful, done_already="not-marked")


HelpfulAction = Callable[[NodeState, Member, str], Awaitable[object]]


async def _helpful_form(
    request: web.Request, action: HelpfulAction, *, done_already: str | None = None
) -> web.Response:
    """Mark or unmark, then back to the reply; a refusal whose slug is ``done_already``
    means the member's wish holds already, and is not shown as an error."""
    member = verified_page_member(request)
    place = await _reply_place(request, member)
    try:
        await action(node_state(request), member, place.reply_id)
    except Problem as problem:
        if problem.slug != done_already:
            return await _show_refusal(
                request, member, place.case_local_id, problem, FormState("helpful")
            )
    raise web.HTTPSeeOther(f"/cases/{place.case_local_id}#reply-{place.reply_id}")


def _reply_editor(
    request: web.Request,
    place: ReplyPlace,
    content: str,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    found: list[dict[str, Any]] | None = None,
    acknowledged: list[str] | None = None,
    status: int = 200,
) -> web.Response:
    context = {
        "reply_id": place.reply_id,
        "case_local_id": place.case_local_id,
        "case_title": place.case_title,
        "values": {"content": content},
        "errors": errors or {},
        "message": message,
        "findings": found or [],
        "acknowledged": acknowledged or [],
    }
    return render(request, "cases/edit_reply.html", context, status=status)


@routes.get("/replies/{reply_id}/edit")
async def edit_reply_form(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    place = await _reply_place(request, member)
    if not place.own:
        raise _not_author()
    return _reply_editor(request, place, place.content)


@routes.post("/replies/{reply_id}/edit")
async def edit_reply(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    place = await _reply_place(request, member)
    form = await request.post()
    content = text(form, "content")
    acks = acknowledgements(form)
    try:
        change = ReplyEdit.model_validate({"content": content, "acknowledged_findings": acks})
    except ValidationError as error:
        return _reply_editor(
            request,
            place,
            content,
            errors=field_errors(error),
            message=_check_fields(),
            acknowledged=_kept(acks),
            status=422,
        )
    try:
        await actions.edit_reply(node_state(request), member, place.reply_id, change)
    except Problem as problem:
        if problem.status in (403, 404):
            raise
        return _reply_editor(
            request,
            place,
            content,
            message=refusal(problem),
            found=findings(problem),
            acknowledged=_kept(acks),
            status=problem.status,
        )
    raise web.HTTPSeeOther(f"/cases/{place.case_local_id}#reply-{place.reply_id}")


@routes.get("/replies/{reply_id}/delete")
async def delete_reply_confirmation(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    place = await _reply_place(request, member, deleting=True)
    if not place.may_delete:
        raise _not_author()
    context = {
        "heading": gettext("Delete this reply?"),
        "explanation": gettext("Your reply will be deleted on every node. This cannot be undone."),
        "quote": place.content,
        "action": f"/replies/{place.reply_id}/delete",
        "back": f"/cases/{place.case_local_id}#reply-{place.reply_id}",
        "confirm": gettext("Delete the reply"),
    }
    return render(request, "cases/confirm_delete.html", context)


@routes.post("/replies/{reply_id}/delete")
async def delete_reply(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    place = await _reply_place(request, member, deleting=True)
    try:
        await actions.delete_reply(node_state(request), member, place.reply_id)
    except Problem as problem:
        return await _show_refusal(
            request, member, place.case_local_id, problem, FormState("delete")
        )
    raise web.HTTPSeeOther(f"/cases/{place.case_local_id}#thread")
