"""Reviewers decide pending claims; admins suspend, revoke and restore members.

Every decision moves the member through the state graph (`status.change_status`)
and is audited with the reviewer as actor and their reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from node.members.models import Member, VerificationStatus
from node.verification.claims import licence_holder, record_conflict, take_licence
from node.verification.models import ClaimState, LicenceClaim, SuspensionCause
from node.verification.register_store import register_of
from node.verification.status import StatusChange, change_status, member_subject
from verification.workflow import InvalidTransition, VerificationGraph


class Decision(StrEnum):
    VERIFY = "verify"
    REJECT = "reject"


class ReviewRefused(Exception):
    """A decision the reviewer may not take; ``status`` and ``slug`` map it to a problem."""

    def __init__(self, status: int, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Decided:
    claim: LicenceClaim
    change: StatusChange | None  # None: another member holds the licence (audited)


async def list_claims(
    session: AsyncSession, state: ClaimState, *, cursor: int | None, limit: int
) -> list[tuple[LicenceClaim, Member]]:
    """Claims in ``state``: the pending queue oldest first, decided claims newest first.

    ``cursor`` is the last claim id of the previous page.
    """
    query = select(LicenceClaim, Member).join(Member, Member.id == LicenceClaim.member_id)
    query = query.where(LicenceClaim.state == state.value)
    if state is ClaimState.PENDING:
        if cursor is not None:
            query = query.where(LicenceClaim.id > cursor)
        query = query.order_by(LicenceClaim.id)
    else:
        if cursor is not None:
            query = query.where(LicenceClaim.id < cursor)
        query = query.order_by(LicenceClaim.id.desc())
    rows = await session.execute(query.limit(limit))
    return [(claim, member) for claim, member in rows]


async def decide_claim(
    session: AsyncSession,
    claim_id: int,
    reviewer: Member,
    decision: Decision,
    reason: str,
    *,
    now: datetime,
    retention: timedelta,
) -> Decided:
    """Verify or reject a pending claim. Raises ReviewRefused or InvalidTransition."""
    claim = await session.get(LicenceClaim, claim_id)
    if claim is None:
        raise ReviewRefused(404, "not-found", "No such claim.")
    if claim.member_id == reviewer.id:
        raise ReviewRefused(403, "own-claim", "Another reviewer must decide your own claim.")
    if claim.state != ClaimState.PENDING:
        raise ReviewRefused(
            409, "claim-decided", f"This claim is already {claim.state}; nothing to decide."
        )
    member = await session.get_one(Member, claim.member_id)
    actor = member_subject(reviewer)
    if decision is Decision.VERIFY:
        holder = await licence_holder(session, claim.licence_id, member.id)
        register = await register_of(session, claim.licence_id)
        if holder is not None or not await take_licence(
            session, member, claim.licence_id, register
        ):
            # The claim stays pending (to be rejected); the refusal is audited.
            winner = holder or await licence_holder(session, claim.licence_id, member.id)
            record_conflict(session, member, winner or "unknown", actor=actor)
            return Decided(claim, None)
        change = await change_status(
            session,
            member,
            VerificationStatus.VERIFIED,
            actor=actor,
            reason=reason,
            now=now,
            details={"claim": claim.id, "register": register},
        )
    else:
        change = await change_status(
            session,
            member,
            VerificationStatus.REJECTED,
            actor=actor,
            reason=reason,
            now=now,
            details={"claim": claim.id},
        )
    claim.state = (
        ClaimState.ACCEPTED if decision is Decision.VERIFY else ClaimState.REJECTED
    ).value
    claim.decided_at, claim.decided_by, claim.decision_reason = now, actor, reason
    claim.documents_purge_at = now + retention
    return Decided(claim, change)


# What an admin may set with POST /api/v1/admin/members/{id}/status. Verifying a
# pending member goes through a claim and its review, not through this switch.
ADMIN_TARGETS = (
    VerificationStatus.SUSPENDED,
    VerificationStatus.REVOKED,
    VerificationStatus.VERIFIED,
)


def admin_targets(current: str) -> tuple[VerificationStatus, ...]:
    """What an admin may set for a member whose status is ``current``: exactly what
    ``set_member_status`` accepts, so the admin page offers nothing it would refuse."""
    return tuple(
        target
        for target in ADMIN_TARGETS
        if VerificationGraph.can_transition(current, target)
        and (target is not VerificationStatus.VERIFIED or current == VerificationStatus.SUSPENDED)
    )


async def set_member_status(
    session: AsyncSession,
    public_id: str,
    admin: Member,
    target: VerificationStatus,
    reason: str,
    *,
    now: datetime,
) -> StatusChange:
    """Suspend, revoke or restore a member. Raises ReviewRefused or InvalidTransition."""
    member = await session.scalar(select(Member).where(Member.public_id == public_id))
    if member is None:
        raise ReviewRefused(404, "not-found", "No such member.")
    if member.id == admin.id:
        raise ReviewRefused(403, "own-status", "Another admin must change your own status.")
    if target is VerificationStatus.VERIFIED and member.status != VerificationStatus.SUSPENDED:
        raise InvalidTransition(
            f"VerificationGraph: restoring to 'verified' is only from 'suspended', not from "
            f"{member.status!r}; a pending member is verified by reviewing their claim"
        )
    return await change_status(
        session,
        member,
        target,
        actor=member_subject(admin),
        reason=reason,
        now=now,
        suspension_cause=SuspensionCause.OPERATOR,
    )
