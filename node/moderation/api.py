"""JSON API: reporting posts, moderators' decisions, reveals and blocking peers."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from i18n.translate import gettext
from node.api.bodies import json_response, read_json, read_query
from node.api.numbers import whole_number
from node.api.problems import Problem, not_found
from node.api.routing import ApiRoutes
from node.members.auth import (
    verified_admin,
    verified_member,
    verified_moderator,
)
from node.moderation import actions as moderation_actions
from node.moderation.models import Report
from node.moderation.schemas import (
    BlockIn,
    DecisionIn,
    ReportIn,
    ReportList,
    ReportOut,
    ReportQuery,
    RestoreIn,
    RevealIn,
    RevealOut,
)
from node.moderation.service import find_target
from node.peers.service import PeerError
from node.state import node_state

api = ApiRoutes(tag="moderation")


moderator = verified_moderator
admin = verified_admin


def report_number(request: web.Request) -> int:
    """The report id of the path; 404 when it is not a whole number."""
    report_id = whole_number(request.match_info["id"])
    if report_id is None:
        raise not_found(gettext("No such report."))
    return report_id


@api.post(
    "/api/v1/reports",
    summary="Report a case or reply",
    request=ReportIn,
    status=201,
    errors=(403, 404, 409),
)
async def report(request: web.Request) -> web.Response:
    """Reaches this node's moderators, and the moderators of the node where the post was
    written (as a Flag carrying the reason only: your comment and your name stay here)."""
    member = verified_member(request)
    data = await read_json(request, ReportIn)
    report_id = await moderation_actions.file_report(node_state(request), member, data)
    return json_response({"id": report_id}, status=201)


@api.get(
    "/api/v1/admin/reports",
    summary="Reports in one state (open by default), newest first",
    query=ReportQuery,
    response=ReportList,
    errors=(400, 403),
)
async def reports(request: web.Request) -> web.Response:
    moderator(request)
    wanted = read_query(request, ReportQuery).state
    async with node_state(request).db.read() as session:
        rows = (
            await session.scalars(
                select(Report).where(Report.state == wanted).order_by(Report.id.desc()).limit(200)
            )
        ).all()
        items = []
        for row in rows:
            try:
                target = await find_target(session, row.object_iri)
                text = target.reply.content if target.reply is not None else target.case.title
                excerpt: str | None = text[:200]
            except Problem:
                excerpt = None
            items.append(
                ReportOut(
                    id=row.id,
                    object=row.object_iri,
                    object_type=row.object_type,
                    reason=row.reason,  # type: ignore[arg-type]
                    comment=row.comment,
                    from_node=row.reporter_node,
                    created_at=row.created_at,
                    state=row.state,
                    excerpt=excerpt,
                )
            )
    return json_response(ReportList(items=items))


@api.post(
    "/api/v1/admin/reports/{id}/decision",
    summary="Dismiss a report, hide or remove the post",
    request=DecisionIn,
    errors=(403, 404, 409),
)
async def decision(request: web.Request) -> web.Response:
    """``hide`` hides the post on this node (``…/restore`` undoes it); ``remove`` deletes
    it — on every node if it was posted here, otherwise from this node only."""
    member = moderator(request)
    data = await read_json(request, DecisionIn)
    decided = await moderation_actions.decide_report(
        node_state(request), member, report_number(request), data.action, data.reason
    )
    return json_response({"state": decided})


@api.post(
    "/api/v1/admin/reports/{id}/restore",
    summary="Show a hidden post again",
    request=RestoreIn,
    errors=(403, 404, 409),
)
async def restore(request: web.Request) -> web.Response:
    """Undoes a ``hide`` decision on this report (409 unless the report's state is
    ``hidden``): the post is visible again on this node, and every report that hid it
    becomes ``restored``. Audited with the reason; like hiding, nothing goes to peers."""
    member = moderator(request)
    data = await read_json(request, RestoreIn)
    restored = await moderation_actions.restore_post(
        node_state(request), member, report_number(request), data.reason
    )
    return json_response({"state": restored})


@api.post(
    "/api/v1/admin/pseudonyms/{handle}/reveal",
    summary="Reveal who is behind a pseudonym (admins; audited)",
    request=RevealIn,
    response=RevealOut,
    errors=(403, 404, 422),
)
async def reveal(request: web.Request) -> web.Response:
    member = admin(request)
    data = await read_json(request, RevealIn)
    state = node_state(request)
    revealed = await moderation_actions.reveal(
        state.db,
        base_url=state.config.base_url,
        handle=request.match_info["handle"],
        actor=f"member:{member.public_id}",
        reason=data.reason,
    )
    return json_response(RevealOut(**revealed.__dict__))


@api.post(
    "/api/v1/admin/peers/block",
    summary="Stop federating with a peer, at once",
    request=BlockIn,
    errors=(403, 404, 422),
)
async def block_peer(request: web.Request) -> web.Response:
    """Removes the peer from the allowlist: its requests are refused from the next one,
    and nothing more is delivered to it. Audited with the reason."""
    member = admin(request)
    data = await read_json(request, BlockIn)
    try:
        await moderation_actions.block_peer(node_state(request), member, data.origin, data.reason)
    except PeerError as error:  # not a node URL
        raise Problem(
            422,
            str(error),
            slug="invalid-body",
            errors=[{"field": "origin", "message": str(error)}],
        ) from None
    return json_response({"blocked": data.origin})
