"""What a handler's ``receive`` gets: the open transaction and the node."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from node.state import NodeState


@dataclass
class ApplyContext:
    session: AsyncSession  # the worker's transaction; commit is the worker's job
    state: NodeState
