"""Every change of a member's verification status, through the state graph, audited.

Register re-imports, reviewers and admins all change status here, so the graph is
checked and the audit entry written in one place, inside the caller's transaction.
Later features (attesting status in actor documents, federating suspensions) hook
in where ``change_status`` returns its `StatusChange`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from node.audit.service import record
from node.members.models import Member, VerificationStatus
from node.verification.models import LicenceHold, SuspensionCause
from verification.workflow import InvalidTransition, VerificationGraph

__all__ = ["InvalidTransition", "StatusChange", "change_status", "member_subject"]

# Audit action per target status.
_ACTIONS = {
    VerificationStatus.PENDING: "verification.pending",
    VerificationStatus.VERIFIED: "verification.verify",
    VerificationStatus.REJECTED: "verification.reject",
    VerificationStatus.SUSPENDED: "verification.suspend",
    VerificationStatus.REVOKED: "verification.revoke",
}


@dataclass(frozen=True, slots=True)
class StatusChange:
    member_id: int
    public_id: str
    previous: str
    current: str


def member_subject(member: Member) -> str:
    return f"member:{member.public_id}"


async def change_status(
    session: AsyncSession,
    member: Member,
    target: VerificationStatus,
    *,
    actor: str,
    reason: str,
    now: datetime,
    suspension_cause: SuspensionCause | None = None,
    details: dict[str, Any] | None = None,
) -> StatusChange:
    """Move ``member`` to ``target`` or raise InvalidTransition; writes the audit entry.

    Keeps the licence hold in step: a suspension records its cause (only register
    suspensions are lifted by a later re-import), a restore clears it, and a
    revocation releases the licence so its real holder can still claim it.
    """
    previous = member.status
    member.status = VerificationGraph.transition(previous, target.value)
    if target is VerificationStatus.VERIFIED and previous != VerificationStatus.SUSPENDED:
        member.verified_at = now
    hold = await session.scalar(select(LicenceHold).where(LicenceHold.member_id == member.id))
    if hold is not None:
        if target is VerificationStatus.SUSPENDED:
            hold.suspension_cause = (suspension_cause or SuspensionCause.OPERATOR).value
        elif target is VerificationStatus.VERIFIED:
            hold.suspension_cause = None
    if target is VerificationStatus.REVOKED:
        await session.execute(delete(LicenceHold).where(LicenceHold.member_id == member.id))
    record(
        session,
        actor=actor,
        action=_ACTIONS[target],
        subject=member_subject(member),
        reason=reason,
        details={"from": previous, "to": member.status, **(details or {})},
    )
    return StatusChange(member.id, member.public_id, previous, member.status)
