"""Replies: writing one here, storing one relayed by an origin, listing a thread."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.origin import origin_of
from node.cases.locking import lock_thread
from node.cases.models import Case, Reply
from node.cases.notes import RemoteNote, signed_note
from node.cases.schemas import AuthorOut, ReplyOut
from node.cases.service import author_for, author_out, new_local_id
from node.db.types import utcnow
from node.events import ReplyCreated, record_event
from node.members.models import Member
from node.state import NodeState


def encode(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


async def next_position(session: AsyncSession, case: Case) -> int:
    """The next place in a thread. Locks the thread first, so the API and the inbox
    worker, in any process, cannot both take the same place."""
    await lock_thread(session, case)
    highest = await session.scalar(select(func.max(Reply.position)).where(Reply.case_id == case.id))
    return (highest or 0) + 1


# Built once: a look at a resolved case may run it.
REPLY_IN_THREAD = select(Reply).where(
    Reply.case_id == bindparam("case_id"),
    (Reply.local_id == bindparam("ref")) | (Reply.iri == bindparam("ref")),
)


async def reply_in_thread(session: AsyncSession, case: Case, ref: str) -> Reply | None:
    """A reply of ``case`` named by its local id or its IRI."""
    return await session.scalar(REPLY_IN_THREAD, {"case_id": case.id, "ref": ref})


async def replies_anonymously(session: AsyncSession, case: Case, member: Member) -> bool:
    """Whether ``member``'s next reply in ``case`` is anonymous when they do not say.

    The author of an anonymous case stays anonymous in its thread: a reply under their
    name beneath their own anonymous case would tell every node who posted it. Anyone
    else keeps the choice of their last reply in the thread (named if none).
    """
    if case.author_member_id == member.id and case.anonymous:
        return True
    last = await session.scalar(
        select(Reply.anonymous)
        .where(Reply.case_id == case.id, Reply.author_member_id == member.id)
        .order_by(Reply.id.desc())
        .limit(1)
    )
    return bool(last)


async def create_local_reply(
    session: AsyncSession,
    state: NodeState,
    *,
    case: Case,
    member: Member,
    content: str,
    anonymous: bool,
    parent: Reply | None,
) -> Reply:
    base_url = state.config.base_url
    local_id = new_local_id()
    iri = f"{base_url}/replies/{local_id}"
    author = author_for(
        member,
        anonymous=anonymous,
        thread_iri=case.iri,
        base_url=base_url,
        country=state.config.country,
        secret=state.secret,
    )
    await lock_thread(session, case)  # reply_count below
    now = utcnow()
    note = signed_note(
        iri=iri,
        author=author,
        content=content,
        thread=case.iri,
        in_reply_to=parent.iri if parent else case.iri,
        published=now,
        updated=None,
        private_key=state.key.private_key,
        key_id=state.federation.signing_key.key_id,
    )
    reply = Reply(
        iri=iri,
        local_id=local_id,
        case_id=case.id,
        origin=base_url,
        is_local=True,
        author_iri=author.iri,
        author_member_id=member.id,
        anonymous=author.anonymous,
        author_name=author.name,
        author_pseudonym=author.pseudonym,
        author_specialty=author.specialty,
        author_country=author.country,
        content=content,
        in_reply_to_iri=parent.iri if parent else None,
        # The origin places replies; a reply to another node's case waits for it.
        position=await next_position(session, case) if case.is_local else None,
        created_at=now,
        signed_note=encode(note),
    )
    session.add(reply)
    case.reply_count += 1
    await session.flush()
    record_event(session, ReplyCreated(case.id, reply.id))
    return reply


async def store_relayed_reply(
    session: AsyncSession,
    case: Case,
    note: RemoteNote,
    signed: dict[str, Any],
    position: int | None,
) -> Reply:
    await lock_thread(session, case)  # reply_count below
    reply = Reply(
        iri=note.iri,
        local_id=new_local_id(),
        case_id=case.id,
        origin=origin_of(note.iri),
        is_local=False,
        author_iri=note.author.iri,
        anonymous=note.author.anonymous,
        author_name=note.author.name,
        author_pseudonym=note.author.pseudonym,
        author_specialty=note.author.specialty,
        author_country=note.author.country,
        content=note.content,
        in_reply_to_iri=None if note.in_reply_to == case.iri else note.in_reply_to,
        position=position,
        created_at=note.published,
        updated_at=note.updated,
        signed_note=encode(signed),
    )
    session.add(reply)
    case.reply_count += 1
    await session.flush()
    record_event(session, ReplyCreated(case.id, reply.id))
    return reply


# Built once: every look at a case runs it.
THREAD = (
    select(Reply)
    .where(Reply.case_id == bindparam("case_id"), Reply.hidden_at.is_(None))
    .order_by(Reply.position.is_(None), Reply.position, Reply.created_at, Reply.id)
)


async def thread_replies(session: AsyncSession, case_id: int) -> Sequence[Reply]:
    """The thread in its agreed order; replies still waiting for the origin come last."""
    return (await session.scalars(THREAD, {"case_id": case_id})).all()


def reply_author(reply: Reply) -> AuthorOut:
    return author_out(reply)


def reply_out(reply: Reply, local_ids: dict[str, str]) -> ReplyOut:
    return ReplyOut(
        id=reply.iri,
        local_id=reply.local_id,
        content=reply.content,
        created_at=reply.created_at,
        updated_at=reply.updated_at,
        author=author_out(reply),
        in_reply_to=local_ids.get(reply.in_reply_to_iri) if reply.in_reply_to_iri else None,
        helpful_count=reply.helpful_count,
        position=reply.position,
        pending=reply.position is None,
    )


def replies_out(replies: Sequence[Reply]) -> list[ReplyOut]:
    local_ids = {reply.iri: reply.local_id for reply in replies}
    return [reply_out(reply, local_ids) for reply in replies]
