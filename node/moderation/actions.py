"""What moderators and admins do, once, for the JSON API, the CLI and the admin pages.

Each action does its work in its own transaction and raises ``Problem`` on refusal,
exactly like node/cases/actions.py, so the API and the pages cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.translate import gettext
from node.api.problems import Problem, not_found
from node.audit.service import record
from node.cases import actions as case_actions
from node.cases.models import Tombstone
from node.db.engine import Database
from node.db.types import utcnow
from node.members.models import Member
from node.moderation.models import Report
from node.moderation.schemas import Action, ReportIn
from node.moderation.service import Revealed, decide, find_target, restore, reveal_pseudonym
from node.outbox.publish import publish
from node.peers.service import remove_peer
from node.state import NodeState


async def file_report(state: NodeState, member: Member, data: ReportIn) -> int:
    """A member reports a case or reply: for this node's moderators, and (as a Flag with
    the reason only; the reporter and the comment stay here) for the moderators of the
    node where the post was written and of the case's node."""
    async with state.db.write() as session:
        target = await find_target(session, data.object)
        if await _open_report(session, member, target.iri) is not None:
            raise Problem(409, gettext("You already reported this."), slug="already-reported")
        row = Report(
            object_iri=target.iri,
            object_type=target.kind,
            reason=data.reason.value,
            comment=data.comment,
            reporter_member_id=member.id,
        )
        session.add(row)
        author_node = target.reply.origin if target.reply is not None else target.origin
        for node in sorted({target.origin, author_node} - {state.config.base_url}):
            flag = case_actions.activity(
                state, "Flag", f"{state.config.base_url}/actor", target.iri
            )
            flag["content"] = data.reason.value
            await publish(session, flag, recipient=node)
        await session.flush()
        report_id = row.id
    state.federation.delivery_due()
    return report_id


async def own_open_report(state: NodeState, member: Member, ref: str) -> int | None:
    """The id of ``member``'s open report on the case or reply ``ref``, if any."""
    async with state.db.read() as session:
        target = await find_target(session, ref)
        return await _open_report(session, member, target.iri)


async def _open_report(session: AsyncSession, member: Member, iri: str) -> int | None:
    return await session.scalar(
        select(Report.id).where(
            Report.object_iri == iri,
            Report.reporter_member_id == member.id,
            Report.state == "open",
        )
    )


async def decide_report(
    state: NodeState, moderator: Member, report_id: int, action: Action, reason: str
) -> str:
    """Dismiss the report, hide the post (here, reversibly) or remove it; the new state.

    ``remove`` deletes the post on every node if this node may (its origin or the
    author's node), otherwise from this node only.
    """
    async with state.db.write() as session:
        row = await session.get(Report, report_id)
        if row is None:
            raise not_found(gettext("No such report."))
        target = await decide(session, row, action=action.value, moderator=moderator, reason=reason)
        local_purge = (
            action is Action.REMOVE
            and target.reply is not None
            and not target.reply.is_local
            and not target.case.is_local
        )
        if local_purge:
            assert target.reply is not None
            session.add(
                Tombstone(iri=target.reply.iri, origin=target.reply.origin, former_type="Note")
            )
            await session.delete(target.reply)
    if action is Action.REMOVE and not local_purge:
        if target.reply is not None:
            await case_actions.delete_reply(state, moderator, target.reply.local_id)
        else:
            await case_actions.delete_case(state, moderator, target.case.local_id)
    return row.state


async def restore_post(state: NodeState, moderator: Member, report_id: int, reason: str) -> str:
    """Show again the post a "hide" decision on this report hid; the report's new state.
    Local, like the hiding."""
    async with state.db.write() as session:
        row = await session.get(Report, report_id)
        if row is None:
            raise not_found(gettext("No such report."))
        # Every report of the post locked, in id order, and read again: two moderators
        # restoring at once record one restore, and two restoring through two reports
        # that hid the same post do not each hold one row while waiting for the other's
        # (a deadlock on PostgreSQL: restoring changes every report that hid the post).
        (
            await session.scalars(
                select(Report)
                .where(Report.object_iri == row.object_iri)
                .order_by(Report.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).all()
        await restore(session, row, moderator=moderator, reason=reason)
    return row.state


async def block_peer(state: NodeState, admin: Member, origin: str, reason: str) -> None:
    """Remove the peer from the allowlist at once (both directions); audited with the
    reason. Raises PeerError for a malformed URL, Problem 404 if it is not a peer."""
    actor = f"member:{admin.public_id}"
    async with state.db.write() as session:
        if not await remove_peer(session, origin, actor_label=actor):
            raise not_found(gettext("That node is not a peer."))
        record(
            session,
            actor=actor,
            action="peer.block",
            subject=origin,
            reason=reason,
            details={"at": utcnow().isoformat()},
        )


async def reveal(db: Database, *, base_url: str, handle: str, actor: str, reason: str) -> Revealed:
    """Who wrote as ``handle``. The look-up is committed to the audit log before a miss
    is refused, so probing for pseudonyms leaves a trace too."""
    async with db.write() as session:
        revealed = await reveal_pseudonym(
            session, base_url=base_url, handle=handle, actor=actor, reason=reason
        )
    if revealed is None:
        raise not_found(gettext("No member of this node posted under this pseudonym."))
    return revealed
