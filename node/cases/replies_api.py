"""JSON API: replying, editing and deleting replies, and marking them helpful."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from node.api.bodies import json_response, read_json
from node.api.problems import Problem
from node.api.routing import ApiRoutes
from node.cases.access import (
    case_or_404,
    conflict,
    reply_or_404,
    require_author,
    require_author_or_moderator,
)
from node.cases.activities import CONTEXT, new_activity_id
from node.cases.models import HelpfulMark, Reply, Tombstone
from node.cases.notes import signed_note, signed_tombstone
from node.cases.relay import announce
from node.cases.replies import create_local_reply, encode, replies_out, reply_in_thread
from node.cases.schemas import HelpfulOut, ReplyEdit, ReplyIn, ReplyOut
from node.cases.service import Author
from node.cases.threads import publish_thread_state, record_revision
from node.db.types import utcnow
from node.db.upsert import insert_ignoring_conflict
from node.members.auth import verified_member
from node.members.pseudonyms import pseudonym_for, pseudonym_iri
from node.outbox.publish import publish
from node.state import NodeState, node_state

api = ApiRoutes(tag="replies")


def _activity(state: NodeState, kind: str, actor: str, obj: Any) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "id": new_activity_id(state.config.base_url),
        "type": kind,
        "actor": actor,
        "object": obj,
    }


@api.post(
    "/api/v1/cases/{local_id}/replies",
    summary="Reply to a case",
    request=ReplyIn,
    response=ReplyOut,
    status=201,
    errors=(403, 404),
)
async def post_reply(request: web.Request) -> web.Response:
    """A reply to another node's case goes to that node, which places it in the thread
    and relays it to every peer; until then it shows here as ``pending``."""
    member = verified_member(request)
    data = await read_json(request, ReplyIn)
    state = node_state(request)
    async with state.db.write() as session:
        case = await case_or_404(session, request.match_info["local_id"])
        parent = None
        if data.in_reply_to:
            parent = await reply_in_thread(session, case, data.in_reply_to)
            if parent is None:
                raise Problem(422, "in_reply_to must be a reply of this case.", slug="invalid-body")
        reply = await create_local_reply(
            session,
            state,
            case=case,
            member=member,
            content=data.content,
            anonymous=data.anonymous,
            parent=parent,
        )
        signed = json.loads(reply.signed_note)
        if case.is_local:
            if case.audience == "federated":
                await announce(session, state, signed, reply.position)
        else:
            await publish(
                session, _activity(state, "Create", reply.author_iri, signed), recipient=case.origin
            )
        out = replies_out([*([parent] if parent else []), reply])[-1]
    state.federation.delivery_due()
    return json_response(out, status=201)


@api.patch(
    "/api/v1/replies/{local_id}",
    summary="Edit your reply",
    request=ReplyEdit,
    response=ReplyOut,
    errors=(403, 404),
)
async def edit_reply(request: web.Request) -> web.Response:
    member = verified_member(request)
    change = await read_json(request, ReplyEdit)
    state = node_state(request)
    async with state.db.write() as session:
        reply, case = await reply_or_404(session, request.match_info["local_id"])
        require_author(member, reply.author_member_id, "reply")
        record_revision(session, reply.iri, title=None, body=reply.content, question=None)
        now = utcnow()
        signed = signed_note(
            iri=reply.iri,
            author=_author_of(reply),
            content=change.content,
            thread=case.iri,
            in_reply_to=reply.in_reply_to_iri or case.iri,
            published=reply.created_at,
            updated=now,
            private_key=state.key.private_key,
            key_id=state.federation.signing_key.key_id,
        )
        reply.content = change.content
        reply.updated_at = now
        reply.signed_note = encode(signed)
        if case.is_local:
            if case.audience == "federated":
                await announce(session, state, signed, reply.position)
        else:
            await publish(
                session, _activity(state, "Update", reply.author_iri, signed), recipient=case.origin
            )
        out = replies_out([reply])[0]
    state.federation.delivery_due()
    return json_response(out)


def _author_of(reply: Reply) -> Author:
    return Author(
        iri=reply.author_iri,
        anonymous=reply.anonymous,
        name=reply.author_name,
        pseudonym=reply.author_pseudonym,
        specialty=reply.author_specialty,
        country=reply.author_country,
    )


@api.delete("/api/v1/replies/{local_id}", summary="Delete a reply", status=204, errors=(403, 404))
async def delete_reply(request: web.Request) -> web.Response:
    """By its author, or by a moderator of the case's origin; deleted on every node."""
    member = verified_member(request)
    state = node_state(request)
    async with state.db.write() as session:
        reply, case = await reply_or_404(session, request.match_info["local_id"])
        if not reply.is_local and not case.is_local:
            raise Problem(
                403,
                "Only the author's node or the case's node can delete this reply.",
                slug="not-author",
            )
        require_author_or_moderator(member, reply.author_member_id, "reply")
        tombstone = signed_tombstone(
            iri=reply.iri,
            deleted=utcnow(),
            private_key=state.key.private_key,
            key_id=state.federation.signing_key.key_id,
        )
        session.add(
            Tombstone(iri=reply.iri, origin=reply.origin, former_type="Note", deleted_at=utcnow())
        )
        await session.delete(reply)
        case.reply_count = max(0, case.reply_count - 1)
        if case.is_local:
            if case.audience == "federated":
                await announce(session, state, tombstone, None)
        else:
            actor = f"{state.config.base_url}/actor"
            await publish(
                session, _activity(state, "Delete", actor, tombstone), recipient=case.origin
            )
    state.federation.delivery_due()
    return web.Response(status=204)


@api.post(
    "/api/v1/replies/{local_id}/helpful",
    summary="Mark a reply helpful",
    response=HelpfulOut,
    status=201,
    errors=(403, 404, 409),
)
async def mark_helpful(request: web.Request) -> web.Response:
    """Once per member across the network; the total is counted at the case's origin."""
    member = verified_member(request)
    state = node_state(request)
    async with state.db.write() as session:
        reply, case = await reply_or_404(session, request.match_info["local_id"])
        if reply.author_member_id == member.id:
            raise conflict("You cannot mark your own reply helpful.", "own-reply")
        marker = pseudonym_iri(
            state.config.base_url, pseudonym_for(state.secret, member.public_id, case.iri)
        )
        fresh = await insert_ignoring_conflict(
            session,
            HelpfulMark,
            {
                "reply_id": reply.id,
                "marker_iri": marker,
                "member_id": member.id,
                "created_at": utcnow(),
            },
        )
        if not fresh:
            raise conflict("You already marked this reply helpful.", "already-marked")
        if case.is_local:
            reply.helpful_count += 1
            await publish_thread_state(session, state, case)
        else:
            await publish(
                session, _activity(state, "Like", marker, reply.iri), recipient=case.origin
            )
    state.federation.delivery_due()
    return json_response(HelpfulOut(reply=reply.local_id, marked=True), status=201)
