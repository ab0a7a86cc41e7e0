"""JSON API for members: claim a licence, upload a document, see where you stand.

These endpoints need only a token, not verified status: they are how an
unverified member becomes verified.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import BodyPartReader, web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.translate import gettext
from node.api.bodies import json_response, malformed_multipart, part_chunks, read_json
from node.api.problems import Problem
from node.api.routing import ApiRoutes
from node.db.types import utcnow
from node.members.auth import current_member
from node.members.models import Member, VerificationStatus
from node.state import node_state
from node.verification.claims import (
    ClaimNotAllowed,
    Outcome,
    PublicReason,
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
from node.verification.problems import transition_problem
from node.verification.schemas import (
    ClaimIn,
    ClaimOut,
    ClaimResponse,
    DocumentOut,
    NextStep,
    VerificationOut,
)
from node.verification.status import member_subject
from verification.matching import Claim, normalise_licence_id
from verification.workflow import InvalidTransition

api = ApiRoutes(tag="verification")

DOCUMENT_FIELD = "document"

_REASON_MESSAGES = {
    PublicReason.MATCHED: "Your licence number and names match the register.",
    PublicReason.NUMBER_UNKNOWN: (
        "This number is not in the register this node imported. Upload a document "
        "showing your licence (PDF, JPEG or PNG) for a reviewer."
    ),
    PublicReason.NAMES_DIFFER: (
        "Your names do not match the register's entry for this number. Check that you "
        "typed them as registered, or upload a document for a reviewer."
    ),
    PublicReason.LICENCE_INACTIVE: (
        "The register does not list this licence as active. If that is wrong, upload a "
        "document for a reviewer."
    ),
}
_STATE_MESSAGES = {
    ClaimState.ACCEPTED: "Your claim was accepted.",
    ClaimState.REJECTED: "A reviewer rejected this claim.",
    ClaimState.SUPERSEDED: "A newer claim replaced this one.",
}


def claim_out(claim: LicenceClaim) -> ClaimOut:
    reason = public_reason(claim.match_reason)
    state = ClaimState(claim.state)
    document = None
    if claim.document_file is not None and claim.document_uploaded_at is not None:
        document = DocumentOut(
            content_type=claim.document_type or "",
            size=claim.document_size or 0,
            uploaded_at=claim.document_uploaded_at,
        )
    return ClaimOut(
        id=claim.id,
        state=state,
        reason=reason,
        message=_STATE_MESSAGES.get(state, _REASON_MESSAGES[reason]),
        created_at=claim.created_at,
        decided_at=claim.decided_at,
        document=document,
    )


def next_step(status: str, claim: LicenceClaim | None) -> tuple[NextStep, str]:
    if status == VerificationStatus.VERIFIED:
        return NextStep.NONE, "You are verified and can read and post cases."
    if status in (VerificationStatus.SUSPENDED, VerificationStatus.REVOKED):
        return NextStep.CONTACT_OPERATOR, (
            f"Your verification is {status}. Contact this node's operator."
        )
    if claim is None or claim.state != ClaimState.PENDING:
        return NextStep.SUBMIT_CLAIM, (
            "Claim your licence: POST /api/v1/me/verification/claims with your licence "
            "number and your names as registered."
        )
    if claim.document_file is None:
        return NextStep.UPLOAD_DOCUMENT, (
            "Upload a document showing your licence: POST /api/v1/me/verification/documents "
            "(multipart/form-data, field 'document')."
        )
    return NextStep.WAIT_FOR_REVIEW, "A reviewer will look at your claim and document."


async def latest_claim(session: AsyncSession, member_id: int) -> LicenceClaim | None:
    return await session.scalar(
        select(LicenceClaim)
        .where(LicenceClaim.member_id == member_id)
        .order_by(LicenceClaim.id.desc())
        .limit(1)
    )


@api.get(
    "/api/v1/me/verification",
    summary="Your verification status and what to do next",
    response=VerificationOut,
)
async def my_verification(request: web.Request) -> web.Response:
    member = current_member(request)
    async with node_state(request).db.read() as session:
        fresh = await session.get_one(Member, member.id)
        claim = await latest_claim(session, member.id)
        step, message = next_step(fresh.status, claim)
        out = VerificationOut(
            status=fresh.status,
            verified_at=fresh.verified_at,
            claim=claim_out(claim) if claim else None,
            next_step=step,
            message=message,
        )
    return json_response(out)


@api.post(
    "/api/v1/me/verification/claims",
    summary="Claim your licence number",
    request=ClaimIn,
    response=ClaimResponse,
    status=201,
    errors=(409, 429),
)
async def post_claim(request: web.Request) -> web.Response:
    """Matched against the imported register: a match verifies you at once; otherwise
    the claim waits for review and ``claim.reason`` says why (``number_unknown``,
    ``names_differ``, ``licence_inactive``). A licence another member holds is 409."""
    member = current_member(request)
    body = await read_json(request, ClaimIn)
    state = node_state(request)
    config = state.config
    now = utcnow()
    try:
        async with state.db.write() as session:
            result = await submit_claim(
                session,
                member.id,
                Claim(body.licence, body.family_name, body.given_names),
                normalise_licence_id(body.licence),
                now=now,
                per_day=config.verification_claims_per_day,
                retention=timedelta(days=config.verification_document_retention_days),
            )
            status = (await session.get_one(Member, member.id)).status
            response = None
            if result.claim is not None and result.outcome is not Outcome.TAKEN:
                response = ClaimResponse(
                    status=status,
                    claim=claim_out(result.claim),
                    next_step=next_step(status, result.claim)[0],
                )
    except ClaimNotAllowed as error:
        raise Problem(409, str(error), slug="already-verified") from None
    except InvalidTransition as error:
        raise transition_problem(error) from None
    except TooManyClaims as error:
        raise Problem(429, str(error), slug="too-many-claims") from None
    state.log.info("verification claim", extra={"outcome": result.outcome.value})
    if response is None:
        raise Problem(
            409,
            gettext(
                "Another member of this node holds this licence. If it is yours, contact the "
                "node's operator."
            ),
            slug="licence-taken",
        )
    return json_response(response, status=201)


async def _document_part(request: web.Request) -> BodyPartReader:
    if request.content_type != "multipart/form-data":
        raise Problem(
            415, "Send the document as multipart/form-data.", slug="unsupported-media-type"
        )
    with malformed_multipart():
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == DOCUMENT_FIELD:
                return part
            await part.release()
    raise Problem(422, f"The form has no {DOCUMENT_FIELD!r} file.", slug="invalid-body")


@api.post(
    "/api/v1/me/verification/documents",
    summary="Upload a document for your pending claim's review",
    response=DocumentOut,
    status=201,
    errors=(409, 413, 415, 422),
)
async def post_document(request: web.Request) -> web.Response:
    """Send ``multipart/form-data`` with one file in the field ``document``: a PDF, JPEG
    or PNG (recognised by content, not name), at most ``verification_document_max_bytes``.
    A new upload replaces the previous one. Only reviewers can see it; it is deleted
    after the decision once the retention period has passed."""
    member = current_member(request)
    state = node_state(request)
    config = state.config
    async with state.db.read() as session:
        pending = await latest_claim(session, member.id)
    if pending is None or pending.state != ClaimState.PENDING:
        raise Problem(
            409, gettext("You have no claim waiting for review."), slug="no-pending-claim"
        )
    part = await _document_part(request)
    folder = documents_folder(config.data_dir)
    try:
        stored = await store_document(
            part_chunks(part), folder, max_bytes=config.verification_document_max_bytes
        )
    except DocumentRefused as error:
        raise Problem(error.status, error.detail, slug=error.slug) from None
    now = utcnow()
    try:
        await attach_document(
            state.db, config.data_dir, pending.id, stored, actor=member_subject(member), now=now
        )
    except ClaimDecided:
        raise Problem(
            409, gettext("Your claim was decided meanwhile."), slug="no-pending-claim"
        ) from None
    return json_response(
        DocumentOut(content_type=stored.content_type, size=stored.size, uploaded_at=now),
        status=201,
    )
