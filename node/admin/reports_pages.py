"""``/admin/reports``: open reports to decide (dismiss, hide, remove, with a reason) and,
in a second tab, the decided ones, where a hidden post can be restored (with a reason).

Decisions go through ``node.moderation.actions.decide_report``, the same action as the
JSON API: it records the decision in the audit log and, for a removal, deletes the post
on every node when this node may, otherwise here only. Restoring goes through
``restore_post``, the action of ``POST /api/v1/admin/reports/{id}/restore``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from i18n.translate import N_, gettext
from node.admin.access import (
    MODERATION_REASON_MIN,
    form_errors,
    notice,
    reason_error,
    render_admin,
    staff_page_member,
    validated,
)
from node.admin.reports import report_rows
from node.api.numbers import path_id, whole_number
from node.api.problems import Problem
from node.members.models import Member
from node.moderation import actions as moderation_actions
from node.moderation.schemas import Action, DecisionIn, Reason, RestoreIn
from node.state import node_state

routes = web.RouteTableDef()
PATH = "/admin/reports"
PAGE_SIZE = 25

REASONS = {
    Reason.IDENTIFIABLE_PATIENT_DATA: N_("Identifiable patient data"),
    Reason.NOT_A_CLINICAL_CASE: N_("Not a clinical case"),
    Reason.ABUSIVE: N_("Abusive"),
    Reason.MISINFORMATION: N_("Misinformation"),
    Reason.SPAM: N_("Spam"),
    Reason.OTHER: N_("Other"),
}
ACTIONS = (
    (Action.DISMISS, N_("Dismiss the report: nothing is wrong")),
    (Action.HIDE, N_("Hide the post on this node (can be undone)")),
    (Action.REMOVE, N_("Remove the post")),
)
STATES = {
    "dismissed": N_("Dismissed"),
    "hidden": N_("Post hidden"),
    "removed": N_("Post removed"),
    "restored": N_("Post restored"),
}
# Named with their noun: a bare "Open" or "Decided" takes another gender and number
# in many languages than the case status or the "Decided" date label it would share.
TABS = (("open", N_("Open reports")), ("decided", N_("Decided reports")))
KINDS = {"case": N_("Case"), "reply": N_("Reply")}
_NOTICES = {
    "dismissed": N_("The report was dismissed."),
    "hidden": N_("The post is hidden on this node."),
    "removed": N_("The post was removed."),
    "restored": N_("The post is visible again on this node."),
}
_REFUSALS = {
    "already-decided": N_("Another moderator already decided this report."),
    "not-found": N_("This report, or the post it concerns, no longer exists."),
}


def _before(request: web.Request) -> int | None:
    value = request.query.get("before", "")
    return whole_number(value)


async def _reports_page(
    request: web.Request,
    member: Member,
    *,
    status: int = 200,
    tab: str | None = None,
    **context: Any,
) -> web.Response:
    tab = tab or ("decided" if request.query.get("tab") == "decided" else "open")
    before = _before(request)
    async with node_state(request).db.read() as session:
        rows = await report_rows(session, decided=tab == "decided", before=before, limit=PAGE_SIZE)
    page: dict[str, Any] = {
        "tab": tab,
        "tabs": [(value, gettext(label)) for value, label in TABS],
        "rows": rows,
        "reasons": {reason.value: gettext(label) for reason, label in REASONS.items()},
        "actions": [(action.value, gettext(label)) for action, label in ACTIONS],
        "states": {state: gettext(label) for state, label in STATES.items()},
        "kinds": {kind: gettext(label) for kind, label in KINDS.items()},
        "older": rows[-1].report.id if len(rows) == PAGE_SIZE else None,
        "first_page": before is None,
        "notice": notice(request, _NOTICES),
        "failed": {"id": None, "action": "", "reason": ""},
    }
    page.update(context)
    return render_admin(request, member, "reports", "admin/reports.html", page, status=status)


async def _refused(
    request: web.Request, member: Member, problem: Problem, **context: Any
) -> web.Response:
    """The page again, saying why the action was refused."""
    refusal = _REFUSALS.get(problem.slug or "")
    message = gettext(refusal) if refusal else problem.detail or gettext("Not possible.")
    return await _reports_page(request, member, status=problem.status, error=message, **context)


@routes.get(PATH)
async def reports_page(request: web.Request) -> web.Response:
    return await _reports_page(request, staff_page_member(request))


@routes.post(PATH + r"/{report_id:\d+}/decision")
async def decide(request: web.Request) -> web.Response:
    member = staff_page_member(request)
    report_id = path_id(request, "report_id")
    form = await request.post()
    failed = {
        "id": report_id,
        "action": str(form.get("action", "")),
        "reason": str(form.get("reason", "")),
    }
    try:
        data = validated(DecisionIn, form, "action", "reason")
    except ValidationError as error:
        errors = form_errors(error, reason_min=MODERATION_REASON_MIN)
        message = errors.get("reason") or gettext("Choose what to do with the post.")
        return await _reports_page(request, member, status=422, error=message, failed=failed)
    try:
        decided = await moderation_actions.decide_report(
            node_state(request), member, report_id, data.action, data.reason
        )
    except Problem as problem:
        return await _refused(request, member, problem)
    raise web.HTTPFound(f"{PATH}?notice={decided}")


@routes.post(PATH + r"/{report_id:\d+}/restore")
async def restore(request: web.Request) -> web.Response:
    """Undo a "hide" decision, from the decided tab (where the form is)."""
    member = staff_page_member(request)
    report_id = path_id(request, "report_id")
    form = await request.post()
    failed = {"id": report_id, "action": "restore", "reason": str(form.get("reason", ""))}
    try:
        data = validated(RestoreIn, form, "reason")
    except ValidationError:
        message = reason_error(MODERATION_REASON_MIN)
        return await _reports_page(
            request, member, status=422, tab="decided", error=message, failed=failed
        )
    try:
        restored = await moderation_actions.restore_post(
            node_state(request), member, report_id, data.reason
        )
    except Problem as problem:
        return await _refused(request, member, problem, tab="decided")
    raise web.HTTPFound(f"{PATH}?tab=decided&notice={restored}")
