"""Authorized fetch: GETs of federation resources must be signed by a trusted peer."""

from __future__ import annotations

from aiohttp import web

from federation.inbound.errors import InboundRejected
from federation.inbound.pipeline import TrustedKey, authenticate
from federation.signatures import HttpMessage
from node.api.problems import Problem
from node.network.urls import public_url
from node.state import NODE


async def require_peer(request: web.Request) -> TrustedKey:
    """The peer that signed this request, or a 401/403 problem (and no content)."""
    state = request.app[NODE]
    message = HttpMessage(
        method=request.method, url=public_url(request), headers=request.headers, body=b""
    )
    try:
        key, _ = await authenticate(message, state.federation.keys)
    except InboundRejected as error:
        headers = (
            {"WWW-Authenticate": 'Signature realm="curbside"'} if error.status == 401 else None
        )
        raise Problem(error.status, error.detail, slug=error.slug, headers=headers) from None
    # A peer we were backing off from is evidently up again (e.g. catching up).
    await state.federation.delivery.peer_is_back(key.origin)
    return key
