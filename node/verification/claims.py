"""A member claims a licence: matched against the register, verified or queued for review.

What the member learns is only why the claim was not matched at once (unknown
number, names differ, licence inactive), never what the register says about the
number: the register's spelling stays in ``match_detail``, which reviewers see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from node.audit.reasons import AWAITING_REVIEW, LICENCE_HELD, NEW_CLAIM, REGISTER_MATCH
from node.audit.service import record
from node.members.models import Member, VerificationStatus
from node.verification.models import ClaimState, LicenceClaim, LicenceHold
from node.verification.register_store import entries_for
from node.verification.status import change_status, member_subject
from verification.matching import Claim, MatchReason, MatchResult, match_claim
from verification.workflow import InvalidTransition, VerificationGraph

SYSTEM = "system"
# While another member holds a licence in one of these states, nobody else may claim it.
HOLDING_STATES = (VerificationStatus.VERIFIED.value, VerificationStatus.SUSPENDED.value)


class PublicReason(StrEnum):
    """Why a claim was or was not matched, as the claimant may be told."""

    MATCHED = "matched"
    NUMBER_UNKNOWN = "number_unknown"
    NAMES_DIFFER = "names_differ"
    LICENCE_INACTIVE = "licence_inactive"


_PUBLIC = {
    MatchReason.MATCHED: PublicReason.MATCHED,
    MatchReason.NUMBER_UNKNOWN: PublicReason.NUMBER_UNKNOWN,
    MatchReason.FAMILY_NAME_DIFFERS: PublicReason.NAMES_DIFFER,
    MatchReason.GIVEN_NAMES_DIFFER: PublicReason.NAMES_DIFFER,
    MatchReason.LICENCE_INACTIVE: PublicReason.LICENCE_INACTIVE,
}
# Which failure to report when a number is listed in several registers: the one
# that says most to the licensee (names matched somewhere > names differ).
_FAILURE_RANK = {
    MatchReason.LICENCE_INACTIVE: 0,
    MatchReason.GIVEN_NAMES_DIFFER: 1,
    MatchReason.FAMILY_NAME_DIFFERS: 2,
    MatchReason.NUMBER_UNKNOWN: 3,
}


def public_reason(match_reason: str) -> PublicReason:
    return _PUBLIC[MatchReason(match_reason)]


class ClaimNotAllowed(Exception):
    """The member's status does not allow a new claim (already verified, suspended...)."""


class TooManyClaims(Exception):
    pass


class Outcome(StrEnum):
    VERIFIED = "verified"
    REVIEW = "review"
    TAKEN = "taken"  # another member holds the licence; audited, nothing else stored


@dataclass(frozen=True, slots=True)
class ClaimResult:
    outcome: Outcome
    claim: LicenceClaim | None = None


async def licence_holder(session: AsyncSession, licence_id: str, member_id: int) -> str | None:
    """The public id of another member holding this licence, if any.

    Holds are the rule; the ``members.licence`` column also catches members an
    operator added with ``curbside members add --licence --verified``.
    """
    held = await session.scalar(
        select(Member.public_id)
        .join(LicenceHold, LicenceHold.member_id == Member.id)
        .where(LicenceHold.licence_id == licence_id, Member.id != member_id)
    )
    if held is not None:
        return held
    return await session.scalar(
        select(Member.public_id).where(
            Member.licence == licence_id, Member.status.in_(HOLDING_STATES), Member.id != member_id
        )
    )


def record_conflict(session: AsyncSession, member: Member, holder: str, *, actor: str) -> None:
    record(
        session,
        actor=actor,
        action="verification.claim.conflict",
        subject=member_subject(member),
        reason=LICENCE_HELD,
        details={"held_by": f"member:{holder}"},
    )


async def take_licence(
    session: AsyncSession, member: Member, licence_id: str, register: str | None
) -> bool:
    """Record that ``member`` holds the licence; False if someone got there first.

    The unique licence id decides races between two claims (on PostgreSQL two
    transactions can both pass the holder check); the savepoint keeps the
    surrounding transaction usable so the refusal can still be audited.
    """
    try:
        async with session.begin_nested():
            existing = await session.get(LicenceHold, member.id)
            if existing is not None:
                await session.delete(existing)
                await session.flush()
            session.add(LicenceHold(member_id=member.id, licence_id=licence_id, register=register))
            await session.flush()
    except IntegrityError:
        return False
    member.licence = licence_id
    return True


async def _check_may_claim(
    session: AsyncSession, member: Member, *, now: datetime, per_day: int
) -> None:
    if member.status == VerificationStatus.VERIFIED:
        raise ClaimNotAllowed("You are already verified.")
    if member.status != VerificationStatus.PENDING and not VerificationGraph.can_transition(
        member.status, VerificationStatus.PENDING.value
    ):
        raise InvalidTransition(
            f"VerificationGraph: cannot go from {member.status!r} to 'pending'; "
            "a suspended or revoked member cannot file a new claim"
        )
    recent = await session.scalar(
        select(func.count())
        .select_from(LicenceClaim)
        .where(
            LicenceClaim.member_id == member.id, LicenceClaim.created_at > now - timedelta(days=1)
        )
    )
    if (recent or 0) >= per_day:
        raise TooManyClaims(f"At most {per_day} claims a day; try again tomorrow.")


async def _best_match(
    session: AsyncSession, claim: Claim, licence_id: str
) -> tuple[str | None, MatchResult]:
    candidates = await entries_for(session, licence_id)
    if not candidates:
        return None, match_claim(claim, None)
    results = [(register, match_claim(claim, entry)) for register, entry in candidates]
    for register, result in results:
        if result.matched:
            return register, result
    return min(results, key=lambda pair: _FAILURE_RANK[pair[1].reason])


async def supersede_pending(
    session: AsyncSession, member_id: int, *, now: datetime, retention: timedelta
) -> None:
    await session.execute(
        update(LicenceClaim)
        .where(LicenceClaim.member_id == member_id, LicenceClaim.state == ClaimState.PENDING)
        .values(
            state=ClaimState.SUPERSEDED.value,
            decided_at=now,
            decided_by=SYSTEM,
            decision_reason="a newer claim replaced it",
            documents_purge_at=now + retention,
        )
    )


async def submit_claim(
    session: AsyncSession,
    member_id: int,
    claim: Claim,
    licence_id: str,
    *,
    now: datetime,
    per_day: int,
    retention: timedelta,
) -> ClaimResult:
    """File the claim in the caller's transaction. Raises ClaimNotAllowed,
    InvalidTransition or TooManyClaims before writing anything."""
    member = await session.get_one(Member, member_id)
    actor = member_subject(member)
    await _check_may_claim(session, member, now=now, per_day=per_day)
    holder = await licence_holder(session, licence_id, member.id)
    if holder is not None:
        record_conflict(session, member, holder, actor=actor)
        return ClaimResult(Outcome.TAKEN)
    await supersede_pending(session, member.id, now=now, retention=retention)
    register, result = await _best_match(session, claim, licence_id)
    row = LicenceClaim(
        member_id=member.id,
        licence_id=licence_id,
        family_name=claim.family_name,
        given_names=claim.given_names,
        state=ClaimState.PENDING.value,
        match_reason=result.reason.value,
        match_detail=result.detail,
        register=register,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    if member.status == VerificationStatus.REJECTED:
        await change_status(
            session,
            member,
            VerificationStatus.PENDING,
            actor=actor,
            reason=NEW_CLAIM,
            now=now,
            details={"claim": row.id},
        )
    if result.matched:
        if not await take_licence(session, member, licence_id, register):
            row.state = ClaimState.SUPERSEDED.value
            row.decision_reason = "licence taken by another member meanwhile"
            winner = await licence_holder(session, licence_id, member.id)
            record_conflict(session, member, winner or "unknown", actor=actor)
            return ClaimResult(Outcome.TAKEN)
        row.state = ClaimState.ACCEPTED.value
        row.decided_at, row.decided_by, row.decision_reason = now, SYSTEM, REGISTER_MATCH
        await change_status(
            session,
            member,
            VerificationStatus.VERIFIED,
            actor=SYSTEM,
            reason=REGISTER_MATCH,
            now=now,
            details={"claim": row.id, "register": register},
        )
        return ClaimResult(Outcome.VERIFIED, row)
    record(
        session,
        actor=actor,
        action="verification.claim",
        subject=actor,
        reason=AWAITING_REVIEW,
        details={"claim": row.id, "match": result.reason.value},
    )
    return ClaimResult(Outcome.REVIEW, row)
