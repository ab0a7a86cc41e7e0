"""What members do with cases, once, for the JSON API and the web pages alike.

Each action takes the node, the acting member and validated input, does its work in
one transaction (publishing the activities peers must hear about), and returns the
API shape. Refusals are ``Problem`` exceptions with a status and a message meant for
the member; the API turns them into problem+json, the pages into form errors.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.translate import gettext
from node.api.problems import Problem, forbidden
from node.cases.access import (
    case_or_404,
    case_to_delete_or_404,
    case_to_show_or_404,
    conflict,
    is_moderator,
    reply_or_404,
    require_author,
    require_author_or_moderator,
)
from node.cases.activities import CONTEXT, case_object, create_activity, new_activity_id
from node.cases.attachments import image_out
from node.cases.engagement import withdraw_mark
from node.cases.locking import lock_thread
from node.cases.media import remove_files
from node.cases.models import Case, CaseView, HelpfulMark, Reply, Tombstone
from node.cases.notes import signed_note, signed_tombstone
from node.cases.purge import purge_reply_text, purge_thread_text
from node.cases.relay import announce
from node.cases.replies import (
    create_local_reply,
    encode,
    replies_anonymously,
    replies_out,
    reply_in_thread,
    thread_replies,
)
from node.cases.schemas import (
    Audience,
    CaseDetail,
    CaseEdit,
    CaseIn,
    CaseOut,
    HelpfulOut,
    ReplyEdit,
    ReplyIn,
    ReplyOut,
    ResolutionIn,
    ResolutionOut,
)
from node.cases.service import Author, case_out, create_local_case
from node.cases.threads import publish_thread_state, record_revision
from node.db.base import table_of
from node.db.types import utcnow
from node.db.upsert import insert_ignoring_conflict
from node.events import CaseResolved, record_event
from node.members.models import Member
from node.members.pseudonyms import pseudonym_for, pseudonym_iri
from node.outbox.publish import publish
from node.polls.service import has_voted, poll_of_case, poll_out, polls_out
from node.privacy import guard
from node.state import NodeState


def activity(state: NodeState, kind: str, actor: str, obj: Any) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "id": new_activity_id(state.config.base_url),
        "type": kind,
        "actor": actor,
        "object": obj,
    }


def thread_pseudonym_iri(state: NodeState, member: Member, case: Case) -> str:
    """The member's identity in this thread for votes and helpful marks."""
    return pseudonym_iri(
        state.config.base_url, pseudonym_for(state.secret, member.public_id, case.iri)
    )


# --- cases ------------------------------------------------------------------------


async def post_case(state: NodeState, member: Member, data: CaseIn) -> CaseOut:
    """Audience ``federated`` sends the case to every peer node; ``node`` keeps it here."""
    config = state.config
    fields = {"title": data.title, "body": data.body, "question": data.question}
    acknowledged = guard.check(fields, data.language, data.acknowledged_findings)
    async with state.db.write() as session:
        case = await create_local_case(
            session,
            member=member,
            data=data,
            base_url=config.base_url,
            country=config.country,
            secret=state.secret,
        )
        guard.record_acknowledged(session, case.iri, acknowledged, member.id)
        if data.audience is Audience.FEDERATED:
            await publish(session, create_activity(case_object(case), base_url=config.base_url))
        out = case_out(case)
    state.federation.delivery_due()
    return out


async def case_detail(session: AsyncSession, case: Case, member: Member) -> CaseDetail:
    replies = await thread_replies(session, case.id)
    poll = await poll_of_case(session, case.id)
    resolution = None
    if case.status == "resolved":
        wanted = case.accepted_reply_iri or ""
        # Among the replies just read, unless a moderator has hidden it since.
        accepted = next((r for r in replies if r.iri == wanted), None) or await reply_in_thread(
            session, case, wanted
        )
        resolution = ResolutionOut(
            accepted_reply=accepted.local_id if accepted else None,
            summary=case.outcome_summary,
            found_what_needed=case.found_what_needed,
            resolved_at=case.resolved_at,
        )
    return CaseDetail(
        **case_out(case).model_dump(exclude={"poll"}),
        replies=replies_out(replies),
        poll=poll_out(poll, voted=await has_voted(session, case.id, member.id)) if poll else None,
        resolution=resolution,
        images=[image_out(attachment) for attachment in case.attachments],
        view_count=case.local_view_count,
        network_view_count=max(case.network_view_count, case.local_view_count),
    )


_CASES = table_of(Case)
# One UPDATE adds to what the row holds when it runs, so two first views at once both
# count (loading the case to add in Python would need a row lock). Built once.
COUNT_VIEW = (
    update(_CASES)
    .where(_CASES.c.id == bindparam("case_id"))
    .values(
        local_view_count=_CASES.c.local_view_count + 1,
        network_view_count=sql_case(
            (_CASES.c.is_local, _CASES.c.network_view_count + 1),
            else_=_CASES.c.network_view_count,
        ),
        views_dirty=True,  # to announce (origin) or report (elsewhere): view_counts.py
    )
    .returning(_CASES.c.local_view_count, _CASES.c.network_view_count)
)


# Built once: every look at a case runs it.
SEEN = select(CaseView.case_id).where(
    CaseView.case_id == bindparam("case_id"), CaseView.member_id == bindparam("member_id")
)


async def _count_view(state: NodeState, case_id: int, member_id: int) -> tuple[int, int] | None:
    """First view of a case by a member: count it here; the origin hears of it later.
    The case's (local, network) view counts after it, or None if this member's view
    was counted already (two first looks at once) or the case is gone."""
    try:
        async with state.db.write() as session:
            fresh = await insert_ignoring_conflict(
                session,
                CaseView,
                {"case_id": case_id, "member_id": member_id, "viewed_at": utcnow()},
            )
            if not fresh:
                return None
            counted = await session.execute(COUNT_VIEW, {"case_id": case_id})
            row = counted.one_or_none()
    except IntegrityError:
        # The case (or the member) was deleted since the thread was read: the view
        # would refer to a row that is gone. Nothing to count; the read stands.
        return None
    return (row[0], row[1]) if row is not None else None


async def read_case(state: NodeState, member: Member, local_id: str) -> CaseDetail:
    """The case with its thread; the first look by each member counts as a view.

    The thread is read once, before the view is counted; the answer then carries the
    counts the view produced (the thread may have changed in between, as it may just
    after any read)."""
    async with state.db.read() as session:
        case = await case_to_show_or_404(session, local_id)
        seen = await session.scalar(SEEN, {"case_id": case.id, "member_id": member.id})
        detail = await case_detail(session, case, member)
    if seen is not None:
        return detail
    counts = await _count_view(state, case.id, member.id)
    if counts is None:
        return detail
    local, network = counts
    return detail.model_copy(
        update={"view_count": local, "network_view_count": max(network, local)}
    )


async def edit_case(state: NodeState, member: Member, local_id: str, change: CaseEdit) -> CaseOut:
    """The previous text is kept as a revision on every node."""
    async with state.db.write() as session:
        case = await case_or_404(session, local_id)
        require_author(member, case.author_member_id, "case")
        fields = {
            name: value
            for name, value in (
                ("title", change.title),
                ("body", change.body),
                ("question", change.question),
            )
            if value is not None
        }
        acknowledged = guard.check(fields, case.language, change.acknowledged_findings)
        guard.record_acknowledged(session, case.iri, acknowledged, member.id)
        record_revision(session, case.iri, title=case.title, body=case.body, question=case.question)
        case.title = change.title or case.title
        case.body = change.body or case.body
        case.question = change.question or case.question
        case.updated_at = utcnow()
        await publish_thread_state(session, state, case)
        out = case_out(case)
        out.poll = (await polls_out(session, [case.id], member.id)).get(case.id)
    state.federation.delivery_due()
    return out


async def delete_case(state: NodeState, member: Member, local_id: str) -> None:
    """By its author or a moderator. A case posted here is deleted on every node; a
    moderator of another node can only remove it from that node."""
    async with state.db.write() as session:
        case = await case_to_delete_or_404(session, local_id, member)
        if case.is_local:
            require_author_or_moderator(member, case.author_member_id, "case")
        elif not is_moderator(member):
            raise forbidden(
                gettext("Only a moderator can remove another node's case from this node.")
            )
        files = [attachment.local_id for attachment in case.attachments]
        session.add(
            Tombstone(iri=case.iri, origin=case.origin, former_type="Case", deleted_at=utcnow())
        )
        await session.execute(delete(Case).where(Case.id == case.id))
        # Its text and its thread's leave the log too: a peer that was away gets only
        # the Delete, and a node that joins later never sees them.
        await purge_thread_text(session, case.iri)
        if case.is_local and case.audience == "federated":
            tombstone = {"id": case.iri, "type": "Tombstone"}
            await publish(
                session, activity(state, "Delete", f"{state.config.base_url}/actor", tombstone)
            )
    remove_files(state, files)  # only once the deletion is committed
    state.federation.delivery_due()


async def resolve_case(
    state: NodeState, member: Member, local_id: str, data: ResolutionIn
) -> ResolutionOut:
    """Accept the reply that solved it, with a short outcome; resolved on every node."""
    async with state.db.write() as session:
        case = await case_or_404(session, local_id)
        require_author(member, case.author_member_id, "case")
        if case.status == "resolved":
            raise conflict(gettext("This case is already resolved."), "already-resolved")
        accepted = await reply_in_thread(session, case, data.accepted_reply)
        if accepted is None or accepted.hidden_at is not None:  # hidden: not there here
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
    return out


# --- replies ----------------------------------------------------------------------


async def post_reply(state: NodeState, member: Member, local_id: str, data: ReplyIn) -> ReplyOut:
    """A reply to another node's case goes to that node, which places it in the thread
    and relays it to every peer; until then it shows here as ``pending``."""
    async with state.db.write() as session:
        case = await case_or_404(session, local_id)
        acknowledged = guard.check(
            {"content": data.content}, case.language, data.acknowledged_findings
        )
        parent = None
        if data.in_reply_to:
            parent = await reply_in_thread(session, case, data.in_reply_to)
            if parent is None or parent.hidden_at is not None:  # hidden: not there here
                raise Problem(422, "in_reply_to must be a reply of this case.", slug="invalid-body")
        reply = await create_local_reply(
            session,
            state,
            case=case,
            member=member,
            content=data.content,
            anonymous=(
                data.anonymous
                if data.anonymous is not None
                else await replies_anonymously(session, case, member)
            ),
            parent=parent,
        )
        guard.record_acknowledged(session, reply.iri, acknowledged, member.id)
        signed = json.loads(reply.signed_note)
        if case.is_local:
            if case.audience == "federated":
                await announce(session, state, signed, reply.position)
        else:
            await publish(
                session, activity(state, "Create", reply.author_iri, signed), recipient=case.origin
            )
        out = replies_out([*([parent] if parent else []), reply])[-1]
    state.federation.delivery_due()
    return out


def _author_of(reply: Reply) -> Author:
    return Author(
        iri=reply.author_iri,
        anonymous=reply.anonymous,
        name=reply.author_name,
        pseudonym=reply.author_pseudonym,
        specialty=reply.author_specialty,
        country=reply.author_country,
    )


async def edit_reply(
    state: NodeState, member: Member, reply_id: str, change: ReplyEdit
) -> ReplyOut:
    async with state.db.write() as session:
        reply, case = await reply_or_404(session, reply_id)
        require_author(member, reply.author_member_id, "reply")
        acknowledged = guard.check(
            {"content": change.content}, case.language, change.acknowledged_findings
        )
        guard.record_acknowledged(session, reply.iri, acknowledged, member.id)
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
                session, activity(state, "Update", reply.author_iri, signed), recipient=case.origin
            )
        out = replies_out([reply])[0]
    state.federation.delivery_due()
    return out


async def delete_reply(state: NodeState, member: Member, reply_id: str) -> None:
    """By its author, or by a moderator of the case's origin; deleted on every node."""
    async with state.db.write() as session:
        reply, case = await reply_or_404(session, reply_id, deleting_as=member)
        if not reply.is_local and not case.is_local:
            raise Problem(
                403,
                gettext("Only the author's node or the case's node can delete this reply."),
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
        await purge_reply_text(session, case.iri, reply.iri)  # after the case row
        if case.is_local:
            if case.audience == "federated":
                await announce(session, state, tombstone, None)
        else:
            actor = f"{state.config.base_url}/actor"
            await publish(
                session, activity(state, "Delete", actor, tombstone), recipient=case.origin
            )
    state.federation.delivery_due()


async def mark_helpful(state: NodeState, member: Member, reply_id: str) -> HelpfulOut:
    """Once per member across the network; the total is counted at the case's origin."""
    async with state.db.write() as session:
        reply, case = await reply_or_404(session, reply_id)
        if reply.author_member_id == member.id:
            raise conflict(gettext("You cannot mark your own reply helpful."), "own-reply")
        marker = thread_pseudonym_iri(state, member, case)
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
            raise conflict(gettext("You already marked this reply helpful."), "already-marked")
        if case.is_local:
            await lock_thread(session, case, reply)
            reply.helpful_count += 1
            await publish_thread_state(session, state, case)
        else:
            await publish(
                session, activity(state, "Like", marker, reply.iri), recipient=case.origin
            )
        out = HelpfulOut(reply=reply.local_id, marked=True)
    state.federation.delivery_due()
    return out


async def unmark_helpful(state: NodeState, member: Member, reply_id: str) -> None:
    """Take back a helpful mark. On another node's case the origin hears ``Undo`` of the
    ``Like`` from the same pseudonym, and publishes the lower total to every peer."""
    async with state.db.write() as session:
        reply, case = await reply_or_404(session, reply_id)
        marker = thread_pseudonym_iri(state, member, case)
        if not await withdraw_mark(session, state, case, reply, marker):
            raise Problem(404, gettext("You had not marked this reply helpful."), slug="not-marked")
        if not case.is_local:
            # Embedded, not by id: the Like's id is not kept (the origin finds the mark
            # by reply and marker). Delivered after the Like: a peer's queue is in order.
            like = {"type": "Like", "actor": marker, "object": reply.iri}
            await publish(session, activity(state, "Undo", marker, like), recipient=case.origin)
    state.federation.delivery_due()
