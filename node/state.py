"""The one typed container for a node's state, stored on its aiohttp application.

Everything a running node holds (config, database, key, logger, and later the HTTP
client, queues and workers) hangs off ``NodeState``; nothing lives in module globals,
which is what lets a test run several nodes in one process.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from node.config import NodeConfig
from node.db.engine import Database
from node.identity.keys import NodeKey
from node.logs import NodeLogger


@dataclass
class NodeState:
    config: NodeConfig
    db: Database
    key: NodeKey
    log: NodeLogger


NODE = web.AppKey("curbside_node", NodeState)


def node_state(request: web.Request) -> NodeState:
    return request.app[NODE]
