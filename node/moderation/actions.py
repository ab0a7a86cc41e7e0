"""What moderators and admins do, once, for the JSON API, the CLI and the admin pages.

Each action does its work in its own transaction and raises ``Problem`` on refusal,
exactly like node/cases/actions.py, so the API and the pages cannot drift apart.
"""

from __future__ import annotations

from node.api.problems import not_found
from node.audit.service import record
from node.cases import actions as case_actions
from node.cases.models import Tombstone
from node.db.engine import Database
from node.db.types import utcnow
from node.members.models import Member
from node.moderation.models import Report
from node.moderation.schemas import Action
from node.moderation.service import Revealed, decide, reveal_pseudonym
from node.peers.service import remove_peer
from node.state import NodeState


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
            raise not_found("No such report.")
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


async def block_peer(state: NodeState, admin: Member, origin: str, reason: str) -> None:
    """Remove the peer from the allowlist at once (both directions); audited with the
    reason. Raises PeerError for a malformed URL, Problem 404 if it is not a peer."""
    actor = f"member:{admin.public_id}"
    async with state.db.write() as session:
        if not await remove_peer(session, origin, actor_label=actor):
            raise not_found("That node is not a peer.")
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
        raise not_found("No member of this node posted under this pseudonym.")
    return revealed
