"""Looking up what a request names, and who may change it."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.translate import N_, gettext
from node.api.problems import Problem, forbidden, not_found
from node.cases.models import Case, Reply, Tombstone
from node.cases.service import case_to_show, get_case
from node.members.models import Member, Role

Post = Literal["case", "reply"]


def is_moderator(member: Member) -> bool:
    return member.role in (Role.MODERATOR, Role.ADMIN)


async def case_or_404(session: AsyncSession, local_id: str) -> Case:
    return _found(await get_case(session, local_id))


async def case_to_delete_or_404(session: AsyncSession, local_id: str, member: Member) -> Case:
    """The case ``member`` asks to delete. A case a moderator hid on this node is not
    there for members, except its author and moderators: hidden here only, it is still
    on every other node, and its author may want it gone from all of them (as
    ``reply_or_404`` does for replies). The others get the 404 of a case that never was."""
    case = await session.scalar(
        select(Case).where(Case.local_id == local_id, Case.deleted_at.is_(None))
    )
    may_see_hidden = case is not None and (
        case.author_member_id == member.id or is_moderator(member)
    )
    if case is not None and case.hidden_at is not None and not may_see_hidden:
        case = None
    return _found(case)


async def case_to_show_or_404(session: AsyncSession, local_id: str) -> Case:
    """For a read-only session (see ``case_to_show``)."""
    return _found(await case_to_show(session, local_id))


def _found(case: Case | None) -> Case:
    if case is None:
        raise not_found(gettext("No such case; it may have been deleted."))
    return case


async def reply_or_404(
    session: AsyncSession, local_id: str, *, deleting_as: Member | None = None
) -> tuple[Reply, Case]:
    """The reply and its case. A reply a moderator hid on this node, or one in a hidden
    case, is not there for members (no marks, edits or answers to it), except for
    ``deleting_as`` its author or a moderator: its author may still want it deleted
    on every node (it is hidden on this node only)."""
    reply = await session.scalar(select(Reply).where(Reply.local_id == local_id))
    if reply is None:
        raise not_found(gettext("No such reply; it may have been deleted."))
    case = await session.get(Case, reply.case_id)
    if case is None or case.deleted_at is not None:
        raise not_found(gettext("The case of this reply was deleted."))
    if reply.hidden_at is not None or case.hidden_at is not None:
        may_delete = deleting_as is not None and (
            deleting_as.id == reply.author_member_id or is_moderator(deleting_as)
        )
        if not may_delete:  # the same answer as for a reply that never was
            raise not_found(gettext("No such reply; it may have been deleted."))
    return reply, case


# One whole sentence per kind of post, so each language can word it (and inflect it).
_ONLY_AUTHOR = {
    "case": N_("Only the author of this case can do that."),
    "reply": N_("Only the author of this reply can do that."),
}
_ONLY_AUTHOR_OR_MODERATOR = {
    "case": N_("Only the author of this case or a moderator can do that."),
    "reply": N_("Only the author of this reply or a moderator can do that."),
}


def require_author(member: Member, author_member_id: int | None, what: Post) -> None:
    if author_member_id != member.id:
        raise forbidden(gettext(_ONLY_AUTHOR[what]), slug="not-author")


def require_author_or_moderator(member: Member, author_member_id: int | None, what: Post) -> None:
    if author_member_id != member.id and not is_moderator(member):
        raise forbidden(gettext(_ONLY_AUTHOR_OR_MODERATOR[what]), slug="not-author")


async def is_deleted(session: AsyncSession, iri: str) -> bool:
    return await session.get(Tombstone, iri) is not None


def conflict(detail: str, slug: str) -> Problem:
    return Problem(409, detail, slug=slug)
