"""The member's verification pages: where you stand, claim your licence, send a document.

Everything decided here is decided by node.verification (matching, the state graph,
document checks); these pages only ask and explain. Members who are not verified
are sent here by ``verified_page_member`` from every page with case content.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import BodyPartReader, web
from pydantic import ValidationError

from i18n.formatting import number_text
from i18n.translate import N_, current_language, gettext
from node.api.bodies import malformed_multipart, part_chunks
from node.db.types import utcnow
from node.members.models import Member
from node.state import NODE
from node.verification.api import latest_claim, next_step
from node.verification.claims import (
    ClaimNotAllowed,
    Outcome,
    TooManyClaims,
    public_reason,
    submit_claim,
)
from node.verification.documents import (
    ClaimDecided,
    DocumentRefused,
    attach_document,
    documents_folder,
    store_document,
)
from node.verification.models import ClaimState, LicenceClaim
from node.verification.schemas import ClaimIn, NextStep
from node.verification.status import member_subject
from node.web.context import csrf_token, signed_in_page_member
from node.web.templating import render
from verification.matching import Claim, normalise_licence_id
from verification.workflow import InvalidTransition

routes = web.RouteTableDef()
PATH = "/verification"
DOCUMENT_FIELD = "document"

STEP_TEXTS = {
    NextStep.NONE: N_("You are verified and can read and post cases."),
    NextStep.SUBMIT_CLAIM: N_(
        "Claim your licence: enter your licence number and your names exactly as the "
        "register lists them. If they match, you are verified at once."
    ),
    NextStep.UPLOAD_DOCUMENT: N_(
        "Your claim needs a reviewer. Send a document that shows your licence (PDF, JPEG or PNG)."
    ),
    NextStep.WAIT_FOR_REVIEW: N_(
        "A reviewer will look at your claim and your document. You can still replace the document."
    ),
    NextStep.CONTACT_OPERATOR: N_(
        "Your verification is suspended or revoked. Contact this node's operator."
    ),
}
STATUS_NAMES = {
    "pending": N_("Not verified yet"),
    "verified": N_("Verified"),
    "rejected": N_("Rejected"),
    "suspended": N_("Suspended"),
    "revoked": N_("Revoked"),
}
REASON_TEXTS = {
    "matched": N_("Your licence number and names match the register."),
    "number_unknown": N_("This number is not in the register this node imported."),
    "names_differ": N_(
        "Your names do not match the register's entry for this number. Check that you "
        "typed them as registered, or send a document."
    ),
    "licence_inactive": N_("The register does not list this licence as active."),
}
CLAIM_STATE_TEXTS = {
    ClaimState.PENDING: N_("Waiting for review"),
    ClaimState.ACCEPTED: N_("Accepted"),
    ClaimState.REJECTED: N_("Rejected by a reviewer"),
    ClaimState.SUPERSEDED: N_("Replaced by a newer claim"),
}
DOCUMENT_ERRORS = {
    "document-too-large": N_("The file is too large: at most %(mb)s MB."),
    "unsupported-document": N_("Send a PDF, JPEG or PNG file."),
    "damaged-document": N_("The file is damaged or incomplete. Try saving it again."),
}
_NOTICES = {
    "verified": N_("You are verified. Welcome!"),
    "review": N_("Your claim is waiting for review."),
    "uploaded": N_("Your document was received. A reviewer will look at it."),
}


def _claimed_values(claim: LicenceClaim | None) -> dict[str, str]:
    """The claim form starts from the latest claim still being decided or refused:
    correcting a typo in one name should not mean typing the other fields again."""
    if claim is None or claim.state not in (ClaimState.PENDING, ClaimState.REJECTED):
        return {"licence": "", "family_name": "", "given_names": ""}
    return {
        "licence": claim.licence_id,
        "family_name": claim.family_name,
        "given_names": claim.given_names,
    }


async def _page(
    request: web.Request, member: Member, *, status: int = 200, **context: Any
) -> web.Response:
    state = request.app[NODE]
    async with state.db.read() as session:
        fresh = await session.get_one(Member, member.id)
        claim = await latest_claim(session, member.id)
    step, _english = next_step(fresh.status, claim)
    notice = _NOTICES.get(request.query.get("notice", ""))
    page: dict[str, Any] = {
        "status": fresh.status,
        "status_name": gettext(STATUS_NAMES.get(fresh.status, fresh.status)),
        "verified_at": fresh.verified_at,
        "step": step.value,
        "step_text": gettext(STEP_TEXTS[step]),
        "claim": claim,
        "claim_state": gettext(CLAIM_STATE_TEXTS[ClaimState(claim.state)]) if claim else None,
        "reason_text": gettext(REASON_TEXTS[public_reason(claim.match_reason).value])
        if claim
        else None,
        "upload_action": f"{PATH}/document?csrf_token={csrf_token(request)}",
        "max_mb": round(state.config.verification_document_max_bytes / 1_000_000, 1),
        # The page says when the document goes: the purge keeps it this long after the
        # decision (an appeal, a second look), then deletes it.
        "retention_days": state.config.verification_document_retention_days,
        "notice": gettext(notice) if notice else None,
        "error": None,
        "values": _claimed_values(claim),
    }
    page.update(context)
    return render(request, "accounts/verification.html", page, status=status)


@routes.get(PATH)
async def status_page(request: web.Request) -> web.Response:
    return await _page(request, signed_in_page_member(request))


@routes.post(PATH + "/claim")
async def claim(request: web.Request) -> web.Response:
    state = request.app[NODE]
    member = signed_in_page_member(request)
    form = await request.post()
    values = {name: str(form.get(name, "")) for name in ("licence", "family_name", "given_names")}
    try:
        body = ClaimIn.model_validate(values)
    except ValidationError:
        error = gettext(
            "Enter your licence number (letters, digits, spaces, dots, slashes or dashes) "
            "and your family name as registered."
        )
        return await _page(request, member, status=422, error=error, values=values)
    config = state.config
    try:
        async with state.db.write() as session:
            result = await submit_claim(
                session,
                member.id,
                Claim(body.licence, body.family_name, body.given_names),
                normalise_licence_id(body.licence),
                now=utcnow(),
                per_day=config.verification_claims_per_day,
                retention=timedelta(days=config.verification_document_retention_days),
            )
    except ClaimNotAllowed:
        return await _page(request, member, status=409, error=gettext("You are already verified."))
    except InvalidTransition:
        error = gettext("A suspended or revoked member cannot file a new claim.")
        return await _page(request, member, status=409, error=error)
    except TooManyClaims:
        error = gettext("Too many claims today. Try again tomorrow.")
        return await _page(request, member, status=429, error=error, values=values)
    state.log.info("verification claim", extra={"outcome": result.outcome.value})
    if result.outcome is Outcome.TAKEN:
        error = gettext(
            "Another member of this node holds this licence. If it is yours, contact the "
            "node's operator."
        )
        return await _page(request, member, status=409, error=error, values=values)
    notice = "verified" if result.outcome is Outcome.VERIFIED else "review"
    raise web.HTTPFound(f"{PATH}?notice={notice}")


async def _document_part(request: web.Request) -> BodyPartReader | None:
    if request.content_type != "multipart/form-data":
        return None
    with malformed_multipart():
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == DOCUMENT_FIELD and part.filename:
                return part
            await part.release()
    return None


@routes.post(PATH + "/document")
async def document(request: web.Request) -> web.Response:
    """The upload form carries its CSRF token in the URL: the file is streamed to disk
    (size and type checked on the way), never buffered in memory."""
    state = request.app[NODE]
    member = signed_in_page_member(request)
    config = state.config
    async with state.db.read() as session:
        pending = await latest_claim(session, member.id)
    if pending is None or pending.state != ClaimState.PENDING:
        error = gettext("You have no claim waiting for review. Claim your licence first.")
        return await _page(request, member, status=409, error=error)
    part = await _document_part(request)
    if part is None:
        return await _page(request, member, status=422, error=gettext("Choose a file to send."))
    try:
        stored = await store_document(
            part_chunks(part),
            documents_folder(config.data_dir),
            max_bytes=config.verification_document_max_bytes,
        )
    except DocumentRefused as refused:
        max_mb = round(config.verification_document_max_bytes / 1_000_000, 1)
        message = DOCUMENT_ERRORS.get(refused.slug, DOCUMENT_ERRORS["damaged-document"])
        error = gettext(message, mb=number_text(max_mb, current_language()))
        return await _page(request, member, status=refused.status, error=error)
    try:
        await attach_document(
            state.db,
            config.data_dir,
            pending.id,
            stored,
            actor=member_subject(member),
            now=utcnow(),
        )
    except ClaimDecided:
        error = gettext("Your claim was decided while the file was being sent.")
        return await _page(request, member, status=409, error=error)
    raise web.HTTPFound(f"{PATH}?notice=uploaded")
