"""The one typed container for a node's state, stored on its aiohttp application.

Everything a running node holds (config, database, keys, logger, and once started the
federation runtime with its HTTP client and workers) hangs off ``NodeState``; nothing
lives in module globals, which is what lets a test run several nodes in one process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
import jinja2
from aiohttp import web

from i18n.catalogs import Catalogs
from node.accounts.throttle import LoginThrottle
from node.config import NodeConfig
from node.db.engine import Database
from node.events import EventBus
from node.identity.keys import NodeKey
from node.logs import NodeLogger
from node.metrics.cache import MetricsCache
from node.web.sessions import SessionKeys

if TYPE_CHECKING:  # the runtime module imports this one; the name is for annotations only
    from node.network.runtime import FederationRuntime


class NotStarted(RuntimeError):
    """Something needed the running node's federation runtime before start-up."""


@dataclass
class NodeState:
    config: NodeConfig
    db: Database
    key: NodeKey
    log: NodeLogger
    secret: bytes = field(repr=False)
    events: EventBus
    catalogs: Catalogs
    templates: jinja2.Environment
    session_keys: SessionKeys
    key_rotations: tuple[dict[str, Any], ...] = ()
    runtime: FederationRuntime | None = None
    # Failed sign-ins per account and client address; in memory only (accounts).
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    # The figures of /metrics, computed at most once a minute (metrics/cache.py).
    metrics: MetricsCache = field(default_factory=MetricsCache)

    @property
    def federation(self) -> FederationRuntime:
        if self.runtime is None:
            raise NotStarted("the node's federation runtime is not running")
        return self.runtime

    @property
    def http(self) -> aiohttp.ClientSession:
        return self.federation.http


NODE = web.AppKey("curbside_node", NodeState)


def node_state(request: web.Request) -> NodeState:
    return request.app[NODE]
