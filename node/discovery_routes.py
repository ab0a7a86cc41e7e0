"""Public discovery endpoints: WebFinger, NodeInfo and the node actor.

These are the only federation resources served without a signature: a node about
to peer with us must be able to read our actor (our key and inbox) before either
side trusts the other. They say nothing about members or cases.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from federation.discovery import (
    node_actor_document,
    nodeinfo_document,
    nodeinfo_links,
    webfinger_document,
    webfinger_resources,
)
from federation.transport import ACTIVITY_JSON
from i18n.languages import SUPPORTED_LANGUAGES
from node import __version__
from node.api.problems import Problem
from node.state import NODE

routes = web.RouteTableDef()


def activity_response(document: dict[str, Any], *, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(document, ensure_ascii=False),
        content_type=ACTIVITY_JSON,
        headers={"Vary": "Accept"},
    )


@routes.get("/actor")
async def actor(request: web.Request) -> web.Response:
    state = request.app[NODE]
    config = state.config
    return activity_response(
        node_actor_document(
            base_url=config.base_url,
            name=config.name,
            country=config.country,
            languages=[config.locale],
            key_id=state.key.key_id(config.base_url),
            public_key=state.key.public_key,
            rotations=list(state.key_rotations),
        )
    )


@routes.get("/.well-known/webfinger")
async def webfinger(request: web.Request) -> web.Response:
    config = request.app[NODE].config
    resource = request.query.get("resource", "")
    if not resource:
        raise Problem(
            400, "Give the resource to look up, e.g. ?resource=acct:node@" + config.domain
        )
    if resource not in webfinger_resources(config.base_url, config.domain):
        raise Problem(404, "Only this node's own actor can be looked up here.", slug="not-found")
    return web.Response(
        text=json.dumps(webfinger_document(config.base_url, config.domain)),
        content_type="application/jrd+json",
        headers={"Access-Control-Allow-Origin": "*"},
    )


@routes.get("/.well-known/nodeinfo")
async def nodeinfo_index(request: web.Request) -> web.Response:
    return web.json_response(nodeinfo_links(request.app[NODE].config.base_url))


@routes.get("/nodeinfo/2.1")
async def nodeinfo(request: web.Request) -> web.Response:
    config = request.app[NODE].config
    document = nodeinfo_document(
        version=__version__,
        name=config.name,
        country=config.country,
        languages=list(SUPPORTED_LANGUAGES),
        base_url=config.base_url,
    )
    profile = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
    return web.Response(body=json.dumps(document).encode(), headers={"Content-Type": profile})
