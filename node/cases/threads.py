"""Thread state: what the case's origin decides and every node copies.

The origin is the authority for a thread's status and resolution, reply order and
helpful totals, poll tallies and the network view count. Whenever one of them
changes, the origin publishes ``Update`` of the Case carrying all of them with a
``threadVersion`` one higher; a node applies an Update only if its version is newer
than what it has, so late, duplicated or reordered Updates cannot roll a thread back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.jsonld import as_list, id_of, parse_datetime
from node.cases.activities import CONTEXT, case_object, iso, new_activity_id
from node.cases.attachments import sync_attachments
from node.cases.locking import ROW_LOCK, lock_thread
from node.cases.models import Case, Reply, Revision
from node.db.types import utcnow
from node.events import CaseResolved, ThreadChanged, record_event
from node.outbox.publish import publish
from node.polls.models import Poll
from node.polls.service import apply_poll_object, poll_object
from node.state import NodeState


async def thread_object(session: AsyncSession, case: Case) -> dict[str, Any]:
    obj = case_object(case)
    replies = (
        await session.scalars(
            select(Reply)
            .where(Reply.case_id == case.id, Reply.position.is_not(None))
            .order_by(Reply.position)
        )
    ).all()
    obj["threadVersion"] = case.thread_version
    obj["networkViewCount"] = case.network_view_count
    obj["replyStats"] = [
        {"id": reply.iri, "position": reply.position, "helpfulCount": reply.helpful_count}
        for reply in replies
    ]
    if case.status == "resolved":
        obj["resolution"] = {
            "type": "Resolution",
            "acceptedReply": case.accepted_reply_iri,
            "outcomeSummary": case.outcome_summary,
            "foundWhatNeeded": case.found_what_needed,
            "published": iso(case.resolved_at or utcnow()),
        }
    poll = await session.get(Poll, case.id)
    if poll is not None:
        obj["poll"] = poll_object(poll, case.iri)
    return obj


async def publish_thread_state(session: AsyncSession, state: NodeState, case: Case) -> None:
    """At the origin: bump the version and tell every peer (in the caller's transaction)."""
    record_event(session, ThreadChanged(case.id))
    if not case.is_local or case.audience != "federated":
        return
    # Reload only the version under the lock: the caller's unflushed changes stay.
    await session.refresh(case, ["thread_version"], with_for_update=ROW_LOCK)
    case.thread_version += 1
    base_url = state.config.base_url
    await publish(
        session,
        {
            "@context": CONTEXT,
            "id": new_activity_id(base_url),
            "type": "Update",
            "actor": f"{base_url}/actor",
            "object": await thread_object(session, case),
        },
    )


def record_revision(
    session: AsyncSession, iri: str, *, title: str | None, body: str, question: str | None
) -> None:
    session.add(
        Revision(object_iri=iri, title=title, body=body, question=question, edited_at=utcnow())
    )


async def apply_thread_state(
    session: AsyncSession, case: Case, obj: dict[str, Any], content: dict[str, str]
) -> bool:
    """Copy the origin's thread state; False if ``obj`` is not newer than ours."""
    await lock_thread(session, case)  # two Updates applied at once: the newer wins
    version = obj.get("threadVersion")
    if not isinstance(version, int) or version <= case.thread_version:
        return False
    was_resolved = case.status == "resolved"
    if (content["title"], content["body"], content["question"]) != (
        case.title,
        case.body,
        case.question,
    ):
        record_revision(session, case.iri, title=case.title, body=case.body, question=case.question)
        case.title, case.body, case.question = (
            content["title"],
            content["body"],
            content["question"],
        )
        case.updated_at = utcnow()
    case.thread_version = version
    case.status = obj.get("caseStatus", case.status)
    case.network_view_count = max(0, int(obj.get("networkViewCount") or 0))
    resolution = obj.get("resolution")
    if isinstance(resolution, dict):
        case.accepted_reply_iri = id_of(resolution.get("acceptedReply"))
        summary = resolution.get("outcomeSummary")
        case.outcome_summary = summary if isinstance(summary, str) else None
        found = resolution.get("foundWhatNeeded")
        case.found_what_needed = found if isinstance(found, bool) else None
        try:
            case.resolved_at = parse_datetime(resolution.get("published"))
        except ValueError:
            case.resolved_at = utcnow()
    stats = {
        stat["id"]: stat
        for stat in as_list(obj.get("replyStats"))
        if isinstance(stat, dict) and "id" in stat
    }
    if stats:
        replies = (
            await session.scalars(
                select(Reply).where(Reply.case_id == case.id, Reply.iri.in_(list(stats)))
            )
        ).all()
        for reply in replies:
            stat = stats[reply.iri]
            helpful = stat.get("helpfulCount")
            if isinstance(helpful, int) and helpful >= 0:
                reply.helpful_count = helpful
            position = stat.get("position")
            if reply.position is None and isinstance(position, int) and position > 0:
                reply.position = position
    sync_attachments(session, case, obj.get("attachment"), case.origin)
    poll = obj.get("poll")
    if isinstance(poll, dict):
        apply_poll_object(session, case.id, await session.get(Poll, case.id), poll)
    record_event(session, ThreadChanged(case.id))
    if case.status == "resolved" and not was_resolved:
        record_event(session, CaseResolved(case.id))
    return True
