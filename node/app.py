"""The application factory: one call builds one node, ready to run or to test."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from node.api import meta
from node.api.routing import ApiRoutes
from node.config import NodeConfig
from node.db.engine import Database
from node.identity.keys import load_key
from node.lifecycle import check_database
from node.logs import node_logger
from node.members import api as members_api
from node.members.auth import bearer_auth
from node.state import NODE, NodeState
from node.web.middleware import problem_errors, request_context

# Every feature's JSON API; register a new feature here.
API_ROUTES: tuple[ApiRoutes, ...] = (meta.api, members_api.api)


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    state = app[NODE]
    try:
        # Refuse to serve a database that is unreachable, unmigrated or another node's.
        await check_database(state.config, state.db)
        state.log.info("node started", extra={"base_url": state.config.base_url})
        yield
    finally:
        state.log.info("node stopping")
        await state.db.close()


def create_app(config: NodeConfig) -> web.Application:
    """An aiohttp application for the node described by ``config``.

    Building it reads the key and prepares the database engine without connecting;
    the checks that need the database run at start-up, and everything is closed on
    shutdown, so several nodes can live in one process.
    """
    state = NodeState(
        config=config,
        db=Database(config.sqlalchemy_url),
        key=load_key(config.keys_dir),
        log=node_logger(config.domain),
    )
    app = web.Application(
        client_max_size=config.max_body_bytes,
        middlewares=[request_context, problem_errors, bearer_auth],
    )
    app[NODE] = state
    app[meta.OPERATIONS] = tuple(op for routes in API_ROUTES for op in routes.operations)
    for routes in API_ROUTES:
        routes.register(app)
    app.cleanup_ctx.append(_lifecycle)
    return app
