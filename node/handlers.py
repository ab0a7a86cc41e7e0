"""Every feature's inbound activity handlers; register a new feature's here."""

from __future__ import annotations

from federation.inbound.registry import ActivityHandler
from node.cases.handlers import HANDLERS as CASE_HANDLERS
from node.inbox.context import ApplyContext

ALL_HANDLERS: tuple[ActivityHandler[ApplyContext], ...] = (*CASE_HANDLERS,)
