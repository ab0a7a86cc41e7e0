"""The case page: the case, its poll and resolution, and the thread as a tree.

Everything shown comes from ``actions.read_case`` (the API's shape, so the page and
the API always agree) plus what only this member may see: which posts are theirs,
which replies they marked helpful, their pseudonym in this thread, edit history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from node.cases import actions
from node.cases.access import case_or_404, is_moderator
from node.cases.models import HelpfulMark, Reply, Revision
from node.cases.pages_vocabulary import vocabulary
from node.cases.replies import replies_anonymously
from node.cases.schemas import CaseDetail, ReplyOut
from node.members.models import Member
from node.members.pseudonyms import pseudonym_for
from node.state import node_state
from node.web.templating import render

# How long a poll may run, offered as choices (hours): a closing time picked this way
# needs no time zone, and stays inside the 90 days the poll action allows.
POLL_DURATIONS = (6, 24, 72, 168, 336, 720)


# Where each form of the case page is, for the "go to the form" link of an error.
FORM_ANCHORS = {
    "reply": "your-reply",
    "poll": "poll",
    "vote": "poll",
    "resolution": "resolve",
}


@dataclass
class ReplyNode:
    reply: ReplyOut
    children: list[ReplyNode] = field(default_factory=list)


@dataclass
class FormState:
    """A form sent back to its author: what they typed, and what was wrong with it."""

    name: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)


def thread_tree(replies: Sequence[ReplyOut]) -> list[ReplyNode]:
    """Answers under the reply they answer, each level in the thread's agreed order.

    A reply whose parent is not here (deleted, or not arrived yet) stays at the top
    level rather than disappearing.
    """
    nodes = {reply.local_id: ReplyNode(reply) for reply in replies}
    roots: list[ReplyNode] = []
    for reply in replies:
        parent = nodes.get(reply.in_reply_to) if reply.in_reply_to else None
        if parent is None or parent.reply.local_id == reply.local_id:
            roots.append(nodes[reply.local_id])
        else:
            parent.children.append(nodes[reply.local_id])
    return roots


async def _own_replies(session: AsyncSession, case_id: int, member_id: int) -> set[str]:
    rows = await session.scalars(
        select(Reply.local_id).where(Reply.case_id == case_id, Reply.author_member_id == member_id)
    )
    return set(rows.all())


async def _marked_helpful(session: AsyncSession, case_id: int, member_id: int) -> set[str]:
    rows = await session.scalars(
        select(Reply.local_id)
        .join(HelpfulMark, HelpfulMark.reply_id == Reply.id)
        .where(Reply.case_id == case_id, HelpfulMark.member_id == member_id)
    )
    return set(rows.all())


async def _revisions(session: AsyncSession, iris: list[str]) -> dict[str, list[Revision]]:
    """Earlier versions of the case and its replies, newest first."""
    rows = await session.scalars(
        select(Revision)
        .where(Revision.object_iri.in_(iris))
        .order_by(Revision.edited_at.desc(), Revision.id.desc())
    )
    found: dict[str, list[Revision]] = {}
    for revision in rows.all():
        found.setdefault(revision.object_iri, []).append(revision)
    return found


async def case_page_context(
    request: web.Request, member: Member, local_id: str, form: FormState
) -> dict[str, Any]:
    state = node_state(request)
    detail: CaseDetail = await actions.read_case(state, member, local_id)
    async with state.db.read() as session:
        case = await case_or_404(session, local_id)
        own_replies = await _own_replies(session, case.id, member.id)
        marked = await _marked_helpful(session, case.id, member.id)
        revisions = await _revisions(session, [detail.id, *(r.id for r in detail.replies)])
        mine = case.author_member_id == member.id
        moderator = is_moderator(member)
        reply_anonymously = await replies_anonymously(session, case, member)
        # Mirrors the delete action's rule, only to decide whether to offer the link:
        # the action itself decides (and refuses a forged form with 403).
        can_delete = (mine and case.is_local) or moderator
    # Earlier versions only for their author and moderators: the usual reason to edit a
    # case is to take out a detail that could identify the patient, and the old text
    # must not stay on show to every member. Others see that it was edited, and how often.
    own_iris = {detail.id} if mine else set()
    own_iris |= {reply.id for reply in detail.replies if reply.local_id in own_replies}
    edited = {iri: len(versions) for iri, versions in revisions.items()}
    history = {iri: versions for iri, versions in revisions.items() if moderator or iri in own_iris}
    replies_by_id = {reply.local_id: reply for reply in detail.replies}
    replying_to = replies_by_id.get(request.query.get("reply_to", "")) or replies_by_id.get(
        form.value("in_reply_to")
    )
    return {
        "case": detail,
        "tree": thread_tree(detail.replies),
        "replies_by_id": replies_by_id,
        "mine": mine,
        "can_delete": can_delete,
        "own_replies": own_replies,
        "marked": marked,
        "revisions": history,
        "edited": edited,
        "pseudonym": pseudonym_for(state.secret, member.public_id, detail.id),
        "replying_to": replying_to,
        # The reply form's box starts as the API's default would choose.
        "reply_anonymously": reply_anonymously,
        "form": form,
        "form_anchor": FORM_ANCHORS.get(form.name),
        "poll_durations": POLL_DURATIONS,
        "live_url": f"/cases/{detail.local_id}/events",
        **vocabulary(),
    }


async def render_case_page(
    request: web.Request,
    member: Member,
    local_id: str,
    *,
    status: int = 200,
    form: FormState | None = None,
) -> web.Response:
    context = await case_page_context(request, member, local_id, form or FormState())
    return render(request, "cases/case.html", context, status=status)
