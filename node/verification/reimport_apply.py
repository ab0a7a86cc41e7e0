"""Applying a completed register import to the members it governs.

`verification.reimport` decides; this module feeds it the members holding a
licence of this register and the statuses the new import gives those licences,
then moves each affected member through the state graph with an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from node.audit.reasons import REGISTER_REIMPORT
from node.members.models import Member, VerificationStatus
from node.verification.models import LicenceHold, SuspensionCause
from node.verification.register_store import held_licences
from node.verification.status import change_status
from verification.reimport import Action, MemberLicence, ReimportPlan, plan_reimport

# plan_reimport's defaults: a register loses a few percent of its physicians a year.
MAX_SUSPEND_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class Applied:
    suspended: int
    restored: int
    verified_before: int


async def _members(session: AsyncSession, register: str) -> list[MemberLicence]:
    rows = await session.execute(
        select(Member.id, LicenceHold.licence_id, Member.status, LicenceHold.suspension_cause)
        .join(LicenceHold, LicenceHold.member_id == Member.id)
        .where(
            LicenceHold.register == register,
            Member.status.in_([VerificationStatus.VERIFIED, VerificationStatus.SUSPENDED]),
        )
    )
    members = [
        MemberLicence(member_id, licence_id, status, cause == SuspensionCause.REGISTER)
        for member_id, licence_id, status, cause in rows
    ]
    # Sorted here rather than by the database: Python's order is what reimport
    # checks, and no collation setting of PostgreSQL can disagree with it.
    return sorted(members, key=lambda member: member.licence_id)


async def plan_for(
    session: AsyncSession, register: str, import_id: int, *, allow_mass_suspension: bool
) -> ReimportPlan:
    """The decisions; raises SuspiciousImport past the safety limit unless allowed."""
    statuses = sorted(await held_licences(session, register, import_id))
    members = await _members(session, register)
    return plan_reimport(
        statuses, members, max_suspend_share=1.0 if allow_mass_suspension else MAX_SUSPEND_SHARE
    )


async def apply_plan(
    session: AsyncSession,
    plan: ReimportPlan,
    *,
    register: str,
    import_id: int,
    actor: str,
    now: datetime,
) -> Applied:
    for decision in [*plan.suspend, *plan.restore]:
        member = await session.get_one(Member, decision.member_id)
        suspend = decision.action is Action.SUSPEND
        await change_status(
            session,
            member,
            VerificationStatus.SUSPENDED if suspend else VerificationStatus.VERIFIED,
            actor=actor,
            reason=REGISTER_REIMPORT,
            now=now,
            suspension_cause=SuspensionCause.REGISTER if suspend else None,
            details={"register": register, "import": import_id, "cause": decision.cause.value},
        )
    return Applied(len(plan.suspend), len(plan.restore), plan.verified_members)
