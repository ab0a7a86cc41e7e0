"""``/admin/verification``: the review queue. Pending claims with why the automatic match
failed and the uploaded document; reviewers verify or reject with a reason.

Decisions go through ``node.verification.review.decide_claim`` (the state graph, the
licence hold and the audit entry with the reviewer and reason), as in the JSON API.
The document opens through the same reviewer-only, audited download the API serves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from i18n.translate import N_, gettext
from node.accounts.verification_pages import STATUS_NAMES
from node.admin.access import form_errors, notice, render_admin, staff_page_member, validated
from node.api.numbers import path_id
from node.api.problems import Problem
from node.db.types import utcnow
from node.members.models import Member
from node.state import node_state
from node.verification.admin_api import document_response
from node.verification.models import ClaimState
from node.verification.review import ReviewRefused, decide_claim, list_claims
from node.verification.schemas import ClaimReviewQuery, DecisionIn
from verification.matching import MatchReason
from verification.workflow import InvalidTransition

routes = web.RouteTableDef()
PATH = "/admin/verification"
CLAIM_PATH = PATH + r"/claims/{claim_id:\d+}"
PAGE_SIZE = 25

# Why the automatic match failed, as a reviewer needs to know it (claimants are told
# less: node/accounts/verification_pages.py).
MATCH_REASONS = {
    MatchReason.MATCHED: N_("The number and names match the register."),
    MatchReason.NUMBER_UNKNOWN: N_("The number is not in any register this node imported."),
    MatchReason.FAMILY_NAME_DIFFERS: N_("The family name differs from the register's entry."),
    MatchReason.GIVEN_NAMES_DIFFER: N_("The given names differ from the register's entry."),
    MatchReason.LICENCE_INACTIVE: N_("The register lists this licence as inactive."),
}
# Named with their noun: the bare adjectives are a claim's state (one claim) and a
# member's status elsewhere, and take another gender and number in many languages.
TABS = {
    ClaimState.PENDING: N_("Claims waiting for review"),
    ClaimState.ACCEPTED: N_("Accepted claims"),
    ClaimState.REJECTED: N_("Rejected claims"),
}
_REFUSALS = {
    "not-found": N_("This claim no longer exists."),
    "own-claim": N_("Another reviewer must decide your own claim."),
    "claim-decided": N_("This claim was already decided."),
}
_NOTICES = {
    "verified": N_("The member is verified."),
    "rejected": N_("The claim was rejected."),
}


def match_reason_text(reason: str) -> str:
    try:
        return gettext(MATCH_REASONS[MatchReason(reason)])
    except (ValueError, KeyError):
        return reason


def _query(request: web.Request) -> ClaimReviewQuery:
    try:
        return ClaimReviewQuery.model_validate(
            {key: value for key, value in request.query.items() if key in ("state", "cursor")}
            | {"limit": PAGE_SIZE}
        )
    except ValidationError:
        return ClaimReviewQuery(limit=PAGE_SIZE)


async def _queue_page(
    request: web.Request, member: Member, *, status: int = 200, **context: Any
) -> web.Response:
    query = _query(request)
    tab = query.state if query.state in TABS else ClaimState.PENDING
    async with node_state(request).db.read() as session:
        rows = await list_claims(session, tab, cursor=query.cursor, limit=PAGE_SIZE)
    claims = [
        {
            "claim": claim,
            "member": claimant,
            "status_name": gettext(STATUS_NAMES.get(claimant.status, claimant.status)),
            "reason_text": match_reason_text(claim.match_reason),
            "own": claimant.id == member.id,
        }
        for claim, claimant in rows
    ]
    page: dict[str, Any] = {
        "tab": tab.value,
        "tabs": [(state.value, gettext(label)) for state, label in TABS.items()],
        "claims": claims,
        "next_cursor": rows[-1][0].id if len(rows) == PAGE_SIZE else None,
        "first_page": query.cursor is None,
        "notice": notice(request, _NOTICES),
        "failed": {"id": None, "reason": ""},
    }
    page.update(context)
    return render_admin(
        request, member, "verification", "admin/verification.html", page, status=status
    )


@routes.get(PATH)
async def queue(request: web.Request) -> web.Response:
    return await _queue_page(request, staff_page_member(request))


@routes.post(CLAIM_PATH + "/decision")
async def decide(request: web.Request) -> web.Response:
    member = staff_page_member(request)
    state = node_state(request)
    claim_id = path_id(request, "claim_id")
    form = await request.post()
    failed = {"id": claim_id, "reason": str(form.get("reason", ""))}
    try:
        data = validated(DecisionIn, form, "decision", "reason")
    except ValidationError as error:
        errors = form_errors(error)
        failed["errors"] = errors
        message = (
            errors.get("reason") or errors.get("decision") or gettext("Please check the form.")
        )
        return await _queue_page(request, member, status=422, error=message, failed=failed)
    retention = timedelta(days=state.config.verification_document_retention_days)
    try:
        async with state.db.write() as session:
            decided = await decide_claim(
                session,
                claim_id,
                member,
                data.decision,
                data.reason,
                now=utcnow(),
                retention=retention,
            )
    except ReviewRefused as refused:
        message = gettext(_REFUSALS.get(refused.slug, refused.detail))
        return await _queue_page(request, member, status=refused.status, error=message)
    except InvalidTransition:
        message = gettext(
            "The member's status no longer allows this decision (it changed meanwhile). "
            "Reload the queue and look again."
        )
        return await _queue_page(request, member, status=409, error=message, failed=failed)
    if decided.change is None:
        # Committed: the refusal itself is in the audit log; the claim stays pending.
        message = gettext(
            "Another member of this node holds this licence; the claim cannot be verified. "
            "Reject it with a reason."
        )
        return await _queue_page(request, member, status=409, error=message, failed=failed)
    state.log.info(
        "verification decision", extra={"claim": claim_id, "decision": data.decision.value}
    )
    done = "verified" if decided.change.current == "verified" else "rejected"
    raise web.HTTPFound(f"{PATH}?notice={done}")


@routes.get(CLAIM_PATH + "/document")
async def document(request: web.Request) -> web.StreamResponse:
    """The uploaded file as a download (never shown inline); the look is audited."""
    member = staff_page_member(request)
    try:
        return await document_response(node_state(request), member, path_id(request, "claim_id"))
    except Problem as problem:
        if problem.status != 404:
            raise
        raise Problem(
            404, gettext("This claim has no document: none was sent, or it was deleted.")
        ) from None
