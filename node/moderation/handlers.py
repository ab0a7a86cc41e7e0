"""A peer forwards a report about a post written here (``Flag``)."""

from __future__ import annotations

from federation.inbound.errors import InboundRejected
from federation.inbound.registry import ANY_OBJECT, Envelope
from node.api.problems import Problem
from node.inbox.context import ApplyContext
from node.moderation.models import Report
from node.moderation.schemas import Reason
from node.moderation.service import find_target


class FlagHandler:
    activity_type = "Flag"
    object_type = ANY_OBJECT

    async def verify(self, envelope: Envelope) -> None:
        if not envelope.object_id:
            raise InboundRejected("Flag needs the id of the reported post")

    async def receive(self, envelope: Envelope, context: ApplyContext) -> None:
        try:
            target = await find_target(context.session, envelope.object_id or "")
        except Problem:
            return  # deleted meanwhile, or never here
        content = envelope.activity.get("content")
        reason = content if content in {reason.value for reason in Reason} else Reason.OTHER.value
        context.session.add(
            Report(
                object_iri=target.iri,
                object_type=target.kind,
                reason=reason,
                reporter_node=envelope.signer_origin,
            )
        )
