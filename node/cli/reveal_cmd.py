"""``curbside members reveal DIR --pseudonym HANDLE --reason TEXT`` is in members_cmd;
this module holds its work so the command module stays small."""

from __future__ import annotations

from node.api.problems import Problem
from node.cli.errors import CliError
from node.config import NodeConfig
from node.db.engine import Database
from node.moderation import actions
from node.moderation.service import Revealed


async def reveal(db: Database, config: NodeConfig, handle: str, reason: str) -> Revealed:
    try:
        return await actions.reveal(
            db, base_url=config.base_url, handle=handle, actor="cli", reason=reason
        )
    except Problem as problem:
        raise CliError(problem.detail or problem.title) from None
