"""Every feature's inbound activity handlers, built for one running node."""

from __future__ import annotations

from federation.inbound.registry import ActivityHandler
from node.cases.engagement import LikeReply, UndoLikeReply, ViewReportHandler
from node.cases.handlers import case_handlers
from node.cases.relay import thread_handlers
from node.inbox.context import ApplyContext
from node.members.attestation import UpdatePerson
from node.moderation.handlers import FlagHandler
from node.polls.handlers import CreateVote
from node.state import NodeState


def all_handlers(state: NodeState) -> tuple[ActivityHandler[ApplyContext], ...]:
    """Register a new feature's handlers here."""
    return (
        *case_handlers(state),
        *thread_handlers(state),
        LikeReply(state),
        UndoLikeReply(state),
        ViewReportHandler(),
        CreateVote(state),
        UpdatePerson(),
        FlagHandler(),
    )
