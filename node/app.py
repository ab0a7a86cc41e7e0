"""The application factory: one call builds one node, ready to run or to test."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from i18n.catalogs import Catalogs
from node import discovery_routes
from node.accounts import api as accounts_api
from node.accounts import pages as accounts_pages
from node.admin import pages as admin_pages
from node.api import meta
from node.api.routing import ApiRoutes
from node.cases import api as cases_api
from node.cases import live as case_live
from node.cases import media_routes, replies_api
from node.cases import objects as case_objects
from node.cases import pages as case_pages
from node.cases import pages_thread as case_thread_pages
from node.config import NodeConfig
from node.db.engine import Database
from node.events import EventBus, take_events
from node.handlers import all_handlers
from node.identity.keys import load_key, load_rotations
from node.identity.secret import load_secret
from node.inbox import routes as inbox_routes
from node.lifecycle import check_database
from node.logs import node_logger
from node.members import actor as member_actors
from node.members import api as members_api
from node.members import credential_api
from node.members.auth import bearer_auth
from node.metrics import api as metrics_api
from node.metrics import pages as metrics_pages
from node.moderation import api as moderation_api
from node.moderation import pages as moderation_pages
from node.network.runtime import start_federation, stop_federation
from node.notifications import api as notifications_api
from node.notifications import pages as notification_pages
from node.notifications import wiring as notifications
from node.outbox import routes as outbox_routes
from node.polls import api as polls_api
from node.privacy import api as privacy_api
from node.search import api as search_api
from node.search import pages as search_pages
from node.state import NODE, NodeState
from node.verification import admin_api as verification_admin_api
from node.verification import api as verification_api
from node.web import pages
from node.web.middleware import problem_errors, request_context
from node.web.session_middleware import negotiate_language, web_session
from node.web.sessions import SessionKeys
from node.web.templating import build_environment

# Every feature's JSON API; register a new feature here.
API_ROUTES: tuple[ApiRoutes, ...] = (
    meta.api,
    accounts_api.api,
    members_api.api,
    cases_api.api,
    replies_api.api,
    polls_api.api,
    verification_api.api,
    verification_admin_api.api,
    privacy_api.api,
    media_routes.api,
    credential_api.api,
    moderation_api.api,
    notifications_api.api,
    search_api.api,
    metrics_api.api,
)
# Web pages (server-rendered HTML).
PAGE_ROUTES: tuple[web.RouteTableDef, ...] = (
    pages.routes,
    *accounts_pages.TABLES,
    case_pages.routes,
    case_thread_pages.routes,
    case_live.routes,
    notification_pages.routes,
    search_pages.routes,
    metrics_pages.routes,
    *admin_pages.TABLES,
    moderation_pages.routes,
)
STATIC_DIR = Path(__file__).parent / "web" / "static"
# Federation endpoints (not part of the JSON API document).
FEDERATION_ROUTES: tuple[web.RouteTableDef, ...] = (
    discovery_routes.routes,
    inbox_routes.routes,
    outbox_routes.routes,
    case_objects.routes,
    media_routes.routes,
    member_actors.routes,
)


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    state = app[NODE]
    try:
        # Refuse to serve a database that is unreachable, unmigrated or another node's.
        await check_database(state.config, state.db)
        state.runtime = await start_federation(state, all_handlers(state))
        _freeze_startup_objects()
        state.log.info("node started", extra={"base_url": state.config.base_url})
        try:
            yield
        finally:
            state.log.info("node stopping")
            await stop_federation(state.runtime, state.log)
            state.runtime = None
            await state.events.drain()
    finally:
        # This node's own objects may now become garbage (several nodes share a
        # process in the demo and the tests): let the collector see them again.
        gc.unfreeze()
        await state.db.close()


_collected_before_freezing = False


def _freeze_startup_objects() -> None:
    """Exempt what start-up built from the garbage collector's full passes.

    Start-up leaves some 160,000 long-lived objects (catalogs, templates, JSON-LD
    contexts, compiled SQL, the de-identification lists). A full collection walks
    them all and stopped the event loop for 140-160 ms each time on a 2-core
    machine, under load every few seconds: a pause every request in flight waits out.
    Frozen, they are left alone; what the node creates later is collected as usual,
    and the node's stop unfreezes them.

    The first node of a process collects first, so that start-up's garbage is not
    kept frozen. Later ones (the demo's, the tests' thousands) only freeze: a full
    collection of a process that grew took half a second per start, and whatever
    garbage they freeze is freed once a node stops and unfreezes.
    """
    global _collected_before_freezing
    if not _collected_before_freezing:
        gc.collect()
        _collected_before_freezing = True
    gc.freeze()


def create_app(config: NodeConfig) -> web.Application:
    """An aiohttp application for the node described by ``config``.

    Building it reads the keys and prepares the database engine without connecting;
    the checks that need the database run at start-up, where the federation runtime
    (HTTP client, workers) also starts, and everything is closed on shutdown, so
    several nodes can live in one process.
    """
    log = node_logger(config.domain)
    events = EventBus(log)
    db = Database(config.sqlalchemy_url)
    db.after_commit = lambda session: events.emit(take_events(session))
    secret = load_secret(config.keys_dir)
    state = NodeState(
        config=config,
        db=db,
        key=load_key(config.keys_dir),
        log=log,
        secret=secret,
        events=events,
        catalogs=Catalogs.load(),
        templates=build_environment(),
        session_keys=SessionKeys.from_secret(secret),
        key_rotations=load_rotations(config.keys_dir),
    )
    app = web.Application(
        client_max_size=config.max_body_bytes,
        middlewares=[request_context, negotiate_language, problem_errors, bearer_auth, web_session],
    )
    app[NODE] = state
    case_live.install_live_updates(app)
    notifications.install(app, state)
    app[meta.OPERATIONS] = tuple(op for routes in API_ROUTES for op in routes.operations)
    for routes in API_ROUTES:
        routes.register(app)
    for table in (*FEDERATION_ROUTES, *PAGE_ROUTES):
        app.router.add_routes(table)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
    app.cleanup_ctx.append(_lifecycle)
    return app
