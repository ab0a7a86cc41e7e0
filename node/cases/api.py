"""JSON API: posting, listing, reading, editing, resolving and deleting cases."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from node.api.bodies import json_response, read_json
from node.api.problems import Problem, forbidden
from node.api.routing import ApiRoutes
from node.cases.access import (
    case_or_404,
    conflict,
    is_moderator,
    require_author,
    require_author_or_moderator,
)
from node.cases.activities import CONTEXT, case_object, create_activity, new_activity_id
from node.cases.models import Case, CaseView, Tombstone
from node.cases.replies import replies_out, reply_in_thread, thread_replies
from node.cases.schemas import (
    Audience,
    CaseDetail,
    CaseEdit,
    CaseIn,
    CaseList,
    CaseOut,
    CaseQuery,
    ResolutionIn,
    ResolutionOut,
)
from node.cases.service import case_out, create_local_case, list_cases
from node.cases.threads import publish_thread_state, record_revision
from node.db.types import utcnow
from node.db.upsert import insert_ignoring_conflict
from node.events import CaseResolved, record_event
from node.members.auth import verified_member
from node.members.models import Member
from node.outbox.publish import publish
from node.polls.models import Poll
from node.polls.service import has_voted, poll_out
from node.state import NodeState, node_state

api = ApiRoutes(tag="cases")


@api.post(
    "/api/v1/cases",
    summary="Post a case",
    request=CaseIn,
    response=CaseOut,
    status=201,
    errors=(403,),
)
async def post_case(request: web.Request) -> web.Response:
    """Audience ``federated`` sends the case to every peer node; ``node`` keeps it here."""
    member = verified_member(request)
    data = await read_json(request, CaseIn)
    state = node_state(request)
    config = state.config
    async with state.db.write() as session:
        case = await create_local_case(
            session,
            member=member,
            data=data,
            base_url=config.base_url,
            country=config.country,
            secret=state.secret,
        )
        if data.audience is Audience.FEDERATED:
            await publish(session, create_activity(case_object(case), base_url=config.base_url))
        out = case_out(case)
    state.federation.delivery_due()
    return json_response(out, status=201)


def _query(request: web.Request) -> CaseQuery:
    try:
        return CaseQuery.model_validate(dict(request.query))
    except ValidationError as error:
        details = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        raise Problem(
            400, "Some query parameters are invalid.", slug="invalid-query", errors=details
        ) from None


@api.get(
    "/api/v1/cases", summary="List cases", query=CaseQuery, response=CaseList, errors=(400, 403)
)
async def get_cases(request: web.Request) -> web.Response:
    """Newest first; filter with ``q``, ``specialty`` and ``status``; page with ``before``."""
    verified_member(request)
    query = _query(request)
    async with node_state(request).db.read() as session:
        return json_response(await list_cases(session, query))


async def case_detail(session: AsyncSession, case: Case, member: Member) -> CaseDetail:
    replies = await thread_replies(session, case.id)
    poll = await session.get(Poll, case.id)
    resolution = None
    if case.status == "resolved":
        accepted = await reply_in_thread(session, case, case.accepted_reply_iri or "")
        resolution = ResolutionOut(
            accepted_reply=accepted.local_id if accepted else None,
            summary=case.outcome_summary,
            found_what_needed=case.found_what_needed,
            resolved_at=case.resolved_at,
        )
    return CaseDetail(
        **case_out(case).model_dump(),
        replies=replies_out(replies),
        poll=poll_out(poll, voted=await has_voted(session, case.id, member.id)) if poll else None,
        resolution=resolution,
        view_count=case.local_view_count,
        network_view_count=max(case.network_view_count, case.local_view_count),
    )


async def _count_view(state: NodeState, case_id: int, member_id: int) -> None:
    """First view of a case by a member: count it here; the origin hears of it later."""
    async with state.db.write() as session:
        fresh = await insert_ignoring_conflict(
            session, CaseView, {"case_id": case_id, "member_id": member_id, "viewed_at": utcnow()}
        )
        if fresh:
            case = await session.get_one(Case, case_id)
            case.local_view_count += 1
            if case.is_local:
                case.network_view_count += 1
                case.views_dirty = True


@api.get(
    "/api/v1/cases/{local_id}",
    summary="One case with its replies",
    response=CaseDetail,
    errors=(403, 404),
)
async def get_one_case(request: web.Request) -> web.Response:
    """Opening a case counts one view per member."""
    member = verified_member(request)
    state = node_state(request)
    async with state.db.read() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        seen = await session.get(CaseView, (case.id, member.id)) is not None
    if not seen:
        await _count_view(state, case.id, member.id)
    async with state.db.read() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        return json_response(await case_detail(session, case, member))


@api.patch(
    "/api/v1/cases/{local_id}",
    summary="Edit your case",
    request=CaseEdit,
    response=CaseOut,
    errors=(403, 404),
)
async def edit_case(request: web.Request) -> web.Response:
    """The previous text is kept as a revision on every node."""
    member = verified_member(request)
    change = await read_json(request, CaseEdit)
    state = node_state(request)
    async with state.db.write() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        require_author(member, case.author_member_id, "case")
        record_revision(session, case.iri, title=case.title, body=case.body, question=case.question)
        case.title = change.title or case.title
        case.body = change.body or case.body
        case.question = change.question or case.question
        case.updated_at = utcnow()
        await publish_thread_state(session, state, case)
        out = case_out(case)
    state.federation.delivery_due()
    return json_response(out)


@api.delete("/api/v1/cases/{local_id}", summary="Delete a case", status=204, errors=(403, 404))
async def delete_case(request: web.Request) -> web.Response:
    """By its author or a moderator. A case posted here is deleted on every node; a
    moderator of another node can only remove it from that node."""
    member = verified_member(request)
    state = node_state(request)
    async with state.db.write() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        if case.is_local:
            require_author_or_moderator(member, case.author_member_id, "case")
        elif not is_moderator(member):
            raise forbidden("Only a moderator can remove another node's case from this node.")
        session.add(
            Tombstone(iri=case.iri, origin=case.origin, former_type="Case", deleted_at=utcnow())
        )
        await session.execute(delete(Case).where(Case.id == case.id))
        if case.is_local and case.audience == "federated":
            await publish(session, _delete_activity(state, case.iri))
    state.federation.delivery_due()
    return web.Response(status=204)


def _delete_activity(state: NodeState, iri: str) -> dict[str, Any]:
    base_url = state.config.base_url
    return {
        "@context": CONTEXT,
        "id": new_activity_id(base_url),
        "type": "Delete",
        "actor": f"{base_url}/actor",
        "object": {"id": iri, "type": "Tombstone"},
    }


@api.post(
    "/api/v1/cases/{local_id}/resolution",
    summary="Resolve your case",
    request=ResolutionIn,
    response=ResolutionOut,
    status=201,
    errors=(403, 404, 409),
)
async def resolve_case(request: web.Request) -> web.Response:
    """Accept the reply that solved it, with a short outcome; resolved on every node."""
    member = verified_member(request)
    data = await read_json(request, ResolutionIn)
    state = node_state(request)
    async with state.db.write() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        require_author(member, case.author_member_id, "case")
        if case.status == "resolved":
            raise conflict("This case is already resolved.", "already-resolved")
        accepted = await reply_in_thread(session, case, data.accepted_reply)
        if accepted is None:
            raise Problem(422, "accepted_reply must be a reply of this case.", slug="invalid-body")
        case.status = "resolved"
        case.accepted_reply_iri = accepted.iri
        case.outcome_summary = data.summary
        case.found_what_needed = data.found_what_needed
        case.resolved_at = utcnow()
        record_event(session, CaseResolved(case.id))
        await publish_thread_state(session, state, case)
        out = ResolutionOut(
            accepted_reply=accepted.local_id,
            summary=case.outcome_summary,
            found_what_needed=case.found_what_needed,
            resolved_at=case.resolved_at,
        )
    state.federation.delivery_due()
    return json_response(out, status=201)
