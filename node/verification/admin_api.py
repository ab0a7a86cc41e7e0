"""JSON API for reviewers (moderators, admins): the claim queue, documents, decisions;
and for admins: suspending, revoking and restoring members."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from i18n.translate import gettext
from node.api.bodies import json_response, read_json
from node.api.numbers import path_id
from node.api.problems import Problem, not_found
from node.api.routing import ApiRoutes
from node.audit.service import record
from node.db.types import utcnow
from node.members.models import Member, VerificationStatus
from node.state import NodeState, node_state
from node.verification.api import claim_out
from node.verification.documents import document_path
from node.verification.models import ClaimState, LicenceClaim
from node.verification.problems import admin, parse_query, reviewer, transition_problem
from node.verification.review import (
    ReviewRefused,
    decide_claim,
    list_claims,
    set_member_status,
)
from node.verification.schemas import (
    ClaimForReview,
    ClaimReviewList,
    ClaimReviewQuery,
    DecisionIn,
    MemberStatusIn,
    MemberStatusOut,
    ReviewMember,
)
from node.verification.status import member_subject
from verification.workflow import InvalidTransition

api = ApiRoutes(tag="verification-admin")

CLAIM_PATH = r"/api/v1/admin/verification/claims/{claim_id:\d+}"
# A document is shown to a reviewer's browser as a download, never rendered as a
# page of this origin: a PDF or image with active content can do no harm there.
_DOCUMENT_HEADERS = {
    "Content-Disposition": "attachment",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "no-store",
}


def _for_review(claim: LicenceClaim, member: Member) -> ClaimForReview:
    return ClaimForReview(
        id=claim.id,
        state=ClaimState(claim.state),
        licence=claim.licence_id,
        family_name=claim.family_name,
        given_names=claim.given_names,
        match_reason=claim.match_reason,
        match_detail=claim.match_detail,
        listed_in=claim.register,
        created_at=claim.created_at,
        decided_at=claim.decided_at,
        decided_by=claim.decided_by,
        decision_reason=claim.decision_reason,
        document=claim_out(claim).document,
        member=ReviewMember(
            public_id=member.public_id,
            name=member.name,
            email=member.email,
            specialty=member.specialty,
            status=member.status,
        ),
    )


def _refused(error: ReviewRefused) -> Problem:
    return Problem(error.status, error.detail, slug=error.slug)


@api.get(
    "/api/v1/admin/verification/claims",
    summary="Claims for review (pending by default)",
    query=ClaimReviewQuery,
    response=ClaimReviewList,
    errors=(400, 403),
)
async def review_queue(request: web.Request) -> web.Response:
    """The pending queue comes oldest first; decided claims newest first."""
    reviewer(request)
    query = parse_query(request, ClaimReviewQuery)
    async with node_state(request).db.read() as session:
        rows = await list_claims(session, query.state, cursor=query.cursor, limit=query.limit)
        items = [_for_review(claim, member) for claim, member in rows]
    following = items[-1].id if len(items) == query.limit else None
    return json_response(ClaimReviewList(items=items, next=following))


@api.get(
    CLAIM_PATH + "/document",
    summary="The document uploaded for a claim (reviewers only; audited)",
    errors=(403, 404),
)
async def claim_document(request: web.Request) -> web.StreamResponse:
    """The file as uploaded, as an attachment. Every look is written to the audit log."""
    member = reviewer(request)
    return await document_response(node_state(request), member, path_id(request, "claim_id"))


async def document_response(state: NodeState, member: Member, claim_id: int) -> web.FileResponse:
    """A claim's document for a reviewer (the API and the review page), as a download;
    the look is audited. Raises Problem 404 when there is no document."""
    async with state.db.write() as session:
        claim = await session.get(LicenceClaim, claim_id)
        if claim is None:
            raise not_found(gettext("No such claim."))
        if claim.document_file is None:
            raise not_found(
                gettext("This claim has no document (none was sent, or it was deleted).")
            )
        file, content_type = claim.document_file, claim.document_type
        record(
            session,
            actor=member_subject(member),
            action="verification.document.view",
            subject=f"claim:{claim.id}",
        )
    path = document_path(state.config.data_dir, file)
    if not path.is_file():
        raise not_found(gettext("The document file is missing from the data folder."))
    headers = {**_DOCUMENT_HEADERS, "Content-Type": content_type or "application/octet-stream"}
    return web.FileResponse(path, headers=headers)


@api.post(
    CLAIM_PATH + "/decision",
    summary="Verify or reject a pending claim",
    request=DecisionIn,
    response=ClaimForReview,
    errors=(403, 404, 409),
)
async def decide(request: web.Request) -> web.Response:
    """``verify`` makes the member verified, ``reject`` rejected; the reason is audited
    with you as the reviewer. A claim that is no longer pending, or a licence another
    member holds, is 409."""
    member = reviewer(request)
    body = await read_json(request, DecisionIn)
    state = node_state(request)
    retention = timedelta(days=state.config.verification_document_retention_days)
    try:
        async with state.db.write() as session:
            decided = await decide_claim(
                session,
                path_id(request, "claim_id"),
                member,
                body.decision,
                body.reason,
                now=utcnow(),
                retention=retention,
            )
            claimant = await session.get_one(Member, decided.claim.member_id)
            out = _for_review(decided.claim, claimant)
    except ReviewRefused as error:
        raise _refused(error) from None
    except InvalidTransition as error:
        raise transition_problem(error) from None
    if decided.change is None:
        raise Problem(
            409, gettext("Another member of this node holds this licence."), slug="licence-taken"
        )
    state.log.info(
        "verification decision",
        extra={"claim": decided.claim.id, "decision": body.decision.value},
    )
    return json_response(out)


@api.post(
    "/api/v1/admin/members/{public_id}/status",
    summary="Suspend, revoke or restore a member (admins)",
    request=MemberStatusIn,
    response=MemberStatusOut,
    errors=(403, 404, 409),
)
async def member_status(request: web.Request) -> web.Response:
    """``suspended`` (from verified), ``revoked`` (from verified or suspended; final),
    ``verified`` (restore, from suspended). Other moves are 409."""
    member = admin(request)
    body = await read_json(request, MemberStatusIn)
    state = node_state(request)
    try:
        async with state.db.write() as session:
            change = await set_member_status(
                session,
                request.match_info["public_id"],
                member,
                VerificationStatus(body.status),
                body.reason,
                now=utcnow(),
            )
    except ReviewRefused as error:
        raise _refused(error) from None
    except InvalidTransition as error:
        raise transition_problem(error) from None
    state.log.info("member status changed", extra={"status": change.current})
    return json_response(
        MemberStatusOut(
            public_id=change.public_id, status=change.current, previous_status=change.previous
        )
    )
