"""The shared inbox: ``POST /inbox``, the door every peer's activities come through."""

from __future__ import annotations

from aiohttp import web

from federation.inbound.errors import InboundRejected
from federation.signatures import HttpMessage
from node.api.problems import Problem
from node.network.urls import public_url
from node.state import NODE

routes = web.RouteTableDef()


async def read_limited(request: web.Request, limit: int) -> bytes:
    """The body, or 413 as soon as it grows past ``limit`` (never buffered beyond it)."""
    if request.content_length is not None and request.content_length > limit:
        raise Problem(413, f"Activities are limited to {limit} bytes.", slug="too-large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"Activities are limited to {limit} bytes.", slug="too-large")
        chunks.append(chunk)
    return b"".join(chunks)


@routes.post("/inbox")
async def inbox(request: web.Request) -> web.Response:
    state = request.app[NODE]
    runtime = state.federation
    body = await read_limited(request, state.config.inbox_max_bytes)
    message = HttpMessage(
        method="POST", url=public_url(request), headers=request.headers, body=body
    )
    try:
        accepted = await runtime.pipeline.accept(message, request.content_type)
        stored = await runtime.inbox_store.store(accepted)
    except InboundRejected as error:
        state.log.info("inbound activity refused (%s): %s", error.status, error.detail[:300])
        raise Problem(error.status, error.detail, slug=error.slug) from None
    if stored:
        runtime.inbox_worker.wake.set()
    await runtime.delivery.peer_is_back(accepted.envelope.signer_origin)
    runtime.catchup.peer_spoke(accepted.envelope.signer_origin)
    return web.Response(status=202)
