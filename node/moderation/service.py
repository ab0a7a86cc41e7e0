"""Reports and moderators' decisions; revealing pseudonyms."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.translate import gettext
from node.api.problems import Problem, not_found
from node.audit.service import record
from node.cases.models import Case, Reply
from node.db.types import utcnow
from node.events import VisibilityChanged, record_event
from node.members.models import Member
from node.members.pseudonyms import pseudonym_iri
from node.moderation.models import Report

# The same minimum as the pages' MODERATION_REASON_MIN (node.admin.access).
REASON_MIN = 10


@dataclass(frozen=True)
class Target:
    iri: str
    kind: str  # case | reply
    origin: str
    case: Case
    reply: Reply | None


async def find_target(session: AsyncSession, ref: str) -> Target:
    """A case or reply of this node's copy, by local id or IRI."""
    case = await session.scalar(select(Case).where(or_(Case.local_id == ref, Case.iri == ref)))
    if case is not None:
        return Target(case.iri, "case", case.origin, case, None)
    reply = await session.scalar(select(Reply).where(or_(Reply.local_id == ref, Reply.iri == ref)))
    if reply is not None:
        parent = await session.get_one(Case, reply.case_id)
        return Target(reply.iri, "reply", parent.origin, parent, reply)
    raise not_found(gettext("No such case or reply."))


@dataclass(frozen=True)
class Revealed:
    public_id: str
    name: str
    email: str
    specialty: str
    threads: list[str]


async def reveal_pseudonym(
    session: AsyncSession, *, base_url: str, handle: str, actor: str, reason: str
) -> Revealed | None:
    """Who wrote as ``handle`` — for an admin, with a reason, always audited (even when
    nobody is found, so probing leaves a trace). None when no member of this node did:
    the caller commits the audit entry, then refuses (actions.reveal)."""
    if len(reason.strip()) < REASON_MIN:
        raise Problem(
            422,
            gettext(
                "Give a reason of at least %(min)s characters; it is kept in the audit log.",
                min=REASON_MIN,
            ),
        )
    iri = pseudonym_iri(base_url, handle)
    cases = (
        await session.execute(select(Case.author_member_id, Case.iri).where(Case.author_iri == iri))
    ).all()
    replies = (
        await session.execute(
            select(Reply.author_member_id, Case.iri)
            .join(Case, Case.id == Reply.case_id)
            .where(Reply.author_iri == iri)
        )
    ).all()
    member_ids = {row[0] for row in (*cases, *replies) if row[0] is not None}
    record(
        session,
        actor=actor,
        action="pseudonym.reveal",
        subject=iri,
        reason=reason.strip(),
        details={"found": bool(member_ids)},
    )
    if len(member_ids) != 1:
        return None
    member = await session.get_one(Member, member_ids.pop())
    threads = sorted({row[1] for row in (*cases, *replies)})
    return Revealed(member.public_id, member.name, member.email, member.specialty, threads)


async def decide(
    session: AsyncSession, report: Report, *, action: str, moderator: Member, reason: str
) -> Target:
    """Record the decision on a report (the caller carries out "remove")."""
    if report.state != "open":
        raise Problem(409, gettext("This report was already decided."), slug="already-decided")
    target = await find_target(session, report.object_iri)
    if action == "hide":
        (target.reply or target.case).hidden_at = utcnow()
        # Open pages drop it, and unread badges stop counting notifications about it.
        record_event(session, VisibilityChanged(target.case.id))
    report.state = {"dismiss": "dismissed", "hide": "hidden", "remove": "removed"}[action]
    report.decided_by = moderator.id
    report.decided_at = utcnow()
    report.decision_reason = reason
    record(
        session,
        actor=f"member:{moderator.public_id}",
        action=f"report.{action}",
        subject=target.iri,
        reason=reason,
        details={"report": report.id},
    )
    return target


async def restore(
    session: AsyncSession, report: Report, *, moderator: Member, reason: str
) -> Target:
    """Undo a "hide" decision: the post is there again for members, in its thread and in
    search (both leave out hidden posts when they read; no count changed when it was
    hidden). Hiding is local, so is this: nothing is sent to peers.

    Every report that hid the post becomes "restored", so none still claims it is
    hidden; their decision fields then tell who restored it and why (the hiding stays
    in the audit log)."""
    if report.state != "hidden":
        raise Problem(409, gettext("The post is not hidden."), slug="not-hidden")
    target = await find_target(session, report.object_iri)
    (target.reply or target.case).hidden_at = None
    hid_it = await session.scalars(
        select(Report).where(Report.object_iri == target.iri, Report.state == "hidden")
    )
    now = utcnow()
    for row in {report, *hid_it}:
        row.state = "restored"
        row.decided_by = moderator.id
        row.decided_at = now
        row.decision_reason = reason
    record(
        session,
        actor=f"member:{moderator.public_id}",
        action="report.restore",
        subject=target.iri,
        reason=reason,
        details={"report": report.id},
    )
    # Open pages show it again, and notifications about it count again.
    record_event(session, VisibilityChanged(target.case.id))
    return target
