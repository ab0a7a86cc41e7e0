"""The report form members open from a case or a reply."""

from __future__ import annotations

from functools import partial

from aiohttp import web
from pydantic import ValidationError

from i18n.translate import N_, gettext
from node.admin.access import MODERATION_REASON_MIN, reason_error
from node.api.problems import Problem
from node.cases.access import is_moderator
from node.members.models import Member
from node.moderation import actions
from node.moderation.schemas import Action, Reason, ReportIn
from node.moderation.service import find_target
from node.state import node_state
from node.web.context import verified_page_member
from node.web.pages import safe_next
from node.web.templating import render

routes = web.RouteTableDef()

REASON_LABELS = {
    Reason.IDENTIFIABLE_PATIENT_DATA: N_("It could identify a patient"),
    Reason.NOT_A_CLINICAL_CASE: N_("It is not a clinical case or answer"),
    Reason.ABUSIVE: N_("It is abusive or disrespectful"),
    Reason.MISINFORMATION: N_("It is dangerous medical misinformation"),
    Reason.SPAM: N_("It is advertising or spam"),
    Reason.OTHER: N_("Something else (please explain)"),
}


def _form(
    request: web.Request,
    member: Member,
    *,
    target: str,
    back: str,
    excerpt: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    reasons = [(reason.value, gettext(label)) for reason, label in REASON_LABELS.items()]
    context = {
        "target": target,
        "back": back,
        "excerpt": excerpt,
        "reasons": reasons,
        # What the member chose and typed, shown again after a refusal. Nothing is
        # preselected: one click must not file a serious report.
        "values": values or {},
        "errors": errors or {},
        "error": error,
        # A moderator who finds a post that must go (a patient's name, say) hides it
        # from the same form instead of reporting to themselves and then deciding.
        "can_hide": is_moderator(member),
        "reason_min": MODERATION_REASON_MIN,
    }
    return render(request, "moderation/report.html", context, status=status)


def _field_errors(error: ValidationError) -> dict[str, str]:
    """A message per form field from ReportIn's validation error."""
    errors: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        field = str(item["loc"][0]) if item["loc"] else ""
        if field == "reason":
            errors["reason"] = gettext("Choose a reason.")
        elif field == "comment" and item["type"] == "value_error":
            errors["comment"] = gettext("Explain in the comment what is wrong.")
        elif field == "comment":  # too long: maxlength stops this in a browser
            errors["comment"] = gettext("Keep the comment under 1,000 characters.")
    return errors


async def _excerpt(request: web.Request, target: str) -> str:
    async with node_state(request).db.read() as session:
        found = await find_target(session, target)
    text = found.reply.content if found.reply is not None else found.case.title
    return text[:160]


@routes.get("/report")
async def report_form(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    target = request.query.get("object", "")
    back = safe_next(request.query.get("back"))
    return _form(request, member, target=target, back=back, excerpt=await _excerpt(request, target))


@routes.post("/report")
async def report(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    form = await request.post()
    target = str(form.get("object", ""))
    back = safe_next(form.get("back"))
    excerpt = await _excerpt(request, target)
    values = {"reason": str(form.get("reason", "")), "comment": str(form.get("comment", ""))}
    hide = is_moderator(member) and bool(form.get("hide"))
    # The form again, with what the member chose and typed, after either refusal.
    again = partial(
        _form,
        request,
        member,
        target=target,
        back=back,
        excerpt=excerpt,
        values={**values, "hide": "on" if hide else ""},
    )
    try:
        # Validated from the raw form values: an unknown reason is a ValidationError.
        data = ReportIn.model_validate({"object": target, **values})
    except ValidationError as invalid:
        return again(
            errors=_field_errors(invalid),
            error=gettext("Please correct the fields marked below."),
            status=422,
        )
    if hide and len(data.comment.strip()) < MODERATION_REASON_MIN:
        # The comment becomes the decision's reason, kept in the audit log.
        return again(
            errors={"comment": reason_error(MODERATION_REASON_MIN)},
            error=gettext("Please correct the fields marked below."),
            status=422,
        )
    state = node_state(request)
    try:
        if hide:
            # A report of theirs may already be open (they reported it before they had
            # a reason to hide it): that one is decided, rather than refusing a second.
            report_id = await actions.own_open_report(
                state, member, target
            ) or await actions.file_report(state, member, data)
            await actions.decide_report(state, member, report_id, Action.HIDE, data.comment.strip())
        else:
            await actions.file_report(state, member, data)
    except Problem as problem:
        if problem.status == 404:
            raise
        return again(error=problem.detail, status=problem.status)
    return render(request, "moderation/report_done.html", {"back": back, "hidden": hide})
