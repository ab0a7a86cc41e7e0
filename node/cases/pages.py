"""Case pages: the case page itself, posting a case, editing and deleting it.

Every change goes through the shared actions (node/cases/actions.py), exactly as the
JSON API does; a refusal comes back as a ``Problem`` and is shown on the page with
its status, a success redirects (POST, redirect, GET), so reloading never re-posts.
Replies, helpful marks, polls and resolutions are in ``pages_thread``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from i18n.translate import N_, current_language, gettext
from node.api.problems import Problem
from node.cases import actions
from node.cases.access import case_or_404, is_moderator
from node.cases.pages_case import render_case_page
from node.cases.pages_forms import (
    FILL_IN,
    FieldErrors,
    Form,
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
)
from node.cases.pages_vocabulary import (
    age_band_choices,
    language_choices,
    sex_choices,
    specialty_choices,
)
from node.cases.schemas import CaseEdit, CaseIn
from node.members.models import Member
from node.state import node_state
from node.web.context import verified_page_member
from node.web.templating import render

routes = web.RouteTableDef()

# Field labels, also used to name a field in the error summary.
CASE_LABELS = {
    "title": N_("Title"),
    "body": N_("Presenting history and findings"),
    "question": N_("Your question"),
    "specialties": N_("Specialties"),
    "age_band": N_("Age"),
    "sex": N_("Sex"),
    "language": N_("Language of the case"),
    "audience": N_("Who can see it"),
    "anonymous": N_("Post anonymously"),
}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_ACTIVITY_TYPES = ("application/activity+json", "application/ld+json", "application/json")


def _quality(accept: str, types: tuple[str, ...]) -> float:
    best = 0.0
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if media.lower() not in types:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = max(best, quality)
    return best


def wants_case_page(request: web.Request) -> bool:
    """A browser asking for the page, not a peer asking for the ActivityPub object.

    A signed request is always a peer's; otherwise HTML must be preferred over every
    JSON type named (``*/*`` alone does not count: API clients and curl send it).
    """
    if "Signature" in request.headers or "Signature-Input" in request.headers:
        return False
    accept = request.headers.get("Accept", "")
    return _quality(accept, _HTML_TYPES) > _quality(accept, _ACTIVITY_TYPES)


async def case_page(request: web.Request) -> web.Response:
    """GET /cases/{local_id} for browsers (routed here by node/cases/objects.py)."""
    member = verified_page_member(request)
    return await render_case_page(request, member, request.match_info["local_id"])


def _labels() -> dict[str, str]:
    return {name: gettext(label) for name, label in CASE_LABELS.items()}


def _case_form(
    request: web.Request,
    values: dict[str, Any],
    *,
    errors: FieldErrors | None = None,
    message: str | None = None,
    found: list[dict[str, Any]] | None = None,
    acknowledged: list[str] | None = None,
    status: int = 200,
) -> web.Response:
    context = {
        "values": values,
        "errors": errors or {},
        "message": message,
        "findings": found or [],
        "acknowledged": acknowledged or [],
        "labels": _labels(),
        "specialty_options": specialty_choices(),
        "age_band_options": age_band_choices(),
        "sex_options": sex_choices(),
        "language_options": language_choices(),
    }
    return render(request, "cases/new.html", context, status=status)


@routes.get("/cases/new")
async def new_case_form(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    defaults = {
        "specialties": [member.specialty],
        "language": current_language(),
        "audience": "federated",
    }
    return _case_form(request, defaults)


def _case_values(form: Form) -> dict[str, Any]:
    return {
        "title": text(form, "title"),
        "body": text(form, "body"),
        "question": text(form, "question"),
        "specialties": texts(form, "specialties"),
        "language": text(form, "language"),
        "audience": text(form, "audience") or "federated",
        "anonymous": flag(form, "anonymous"),
        "age_band": optional(form, "age_band"),
        "sex": optional(form, "sex"),
    }


@routes.post("/cases/new")
async def create_case(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    form = await request.post()
    values = _case_values(form)
    acks = acknowledgements(form)
    kept = [f"{ack['kind']}:{ack['text']}" for ack in acks]
    where = redaction(form)
    if where is not None and apply_redaction(values, where):
        # One click replaced a detail: show the text again, still unposted, re-checked.
        fields = {name: values[name] for name in ("title", "body", "question")}
        return _case_form(
            request,
            values,
            message=gettext("The detail was replaced by […]. Check the text, then post it."),
            found=scan_findings(fields, values["language"] or current_language()),
            acknowledged=kept,
        )
    try:
        data = CaseIn.model_validate({**values, "acknowledged_findings": acks})
    except ValidationError as error:
        return _case_form(
            request,
            values,
            errors=field_errors(error),
            message=gettext("Please correct the fields marked below."),
            acknowledged=kept,
            status=422,
        )
    try:
        case = await actions.post_case(node_state(request), member, data)
    except Problem as problem:
        return _case_form(
            request,
            values,
            message=refusal(problem),
            found=findings(problem),
            acknowledged=kept,
            status=problem.status,
        )
    raise web.HTTPSeeOther(f"/cases/{case.local_id}")


# --- editing and deleting a case ------------------------------------------------------


async def _own_case(request: web.Request, member: Member) -> dict[str, Any]:
    """The case for its author's edit form; anyone else gets 403 (as the action would)."""
    async with node_state(request).db.read() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        if case.author_member_id != member.id:
            raise Problem(403, gettext("Only the author can do that."), slug="not-author")
        return {"local_id": case.local_id, "title": case.title, "language": case.language}


def _edit_form(
    request: web.Request,
    case: dict[str, Any],
    values: dict[str, str],
    *,
    errors: FieldErrors | None = None,
    message: str | None = None,
    found: list[dict[str, Any]] | None = None,
    acknowledged: list[str] | None = None,
    status: int = 200,
) -> web.Response:
    context = {
        "case": case,
        "values": values,
        "errors": errors or {},
        "message": message,
        "findings": found or [],
        "acknowledged": acknowledged or [],
        "labels": _labels(),
    }
    return render(request, "cases/edit_case.html", context, status=status)


@routes.get("/cases/{local_id}/edit")
async def edit_case_form(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    case = await _own_case(request, member)
    async with node_state(request).db.read() as session:
        row = await case_or_404(session, case["local_id"])
        values = {"title": row.title, "body": row.body, "question": row.question}
    return _edit_form(request, case, values)


@routes.post("/cases/{local_id}/edit")
async def edit_case(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    local_id = request.match_info["local_id"]
    form = await request.post()
    values = {name: text(form, name).strip() for name in ("title", "body", "question")}
    acks = acknowledgements(form)
    kept = [f"{ack['kind']}:{ack['text']}" for ack in acks]
    # In the API a missing field means "unchanged"; in this form every field is shown,
    # so an emptied one is a mistake to point out.
    errors = {name: gettext(FILL_IN) for name, value in values.items() if not value}
    try:
        change = CaseEdit.model_validate({**values, "acknowledged_findings": acks})
    except ValidationError as error:
        errors = {**field_errors(error), **errors}
    if errors:
        case = await _own_case(request, member)
        return _edit_form(
            request,
            case,
            values,
            errors=errors,
            message=gettext("Please correct the fields marked below."),
            acknowledged=kept,
            status=422,
        )
    try:
        await actions.edit_case(node_state(request), member, local_id, change)
    except Problem as problem:
        if problem.status in (403, 404):
            raise
        case = await _own_case(request, member)
        return _edit_form(
            request,
            case,
            values,
            message=refusal(problem),
            found=findings(problem),
            acknowledged=kept,
            status=problem.status,
        )
    raise web.HTTPSeeOther(f"/cases/{local_id}")


@routes.get("/cases/{local_id}/delete")
async def delete_case_confirmation(request: web.Request) -> web.Response:
    """The confirmation step, as a page: it works without JavaScript."""
    member = verified_page_member(request)
    async with node_state(request).db.read() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        allowed = (case.author_member_id == member.id and case.is_local) or is_moderator(member)
        title = case.title
    if not allowed:
        raise Problem(403, gettext("Only the author can do that."), slug="not-author")
    context = {
        "heading": gettext("Delete this case?"),
        "explanation": gettext(
            "The case and all its replies will be deleted on every node. This cannot be undone."
        ),
        "quote": title,
        "action": f"/cases/{request.match_info['local_id']}/delete",
        "back": f"/cases/{request.match_info['local_id']}",
        "confirm": gettext("Delete the case"),
    }
    return render(request, "cases/confirm_delete.html", context)


@routes.post("/cases/{local_id}/delete")
async def delete_case(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    await actions.delete_case(node_state(request), member, request.match_info["local_id"])
    raise web.HTTPSeeOther("/?deleted=1")
