"""``GET /outbox``: our public activity log, oldest first, for peers catching up.

Only signed requests from trusted peers are served. Pages are chronological (unlike
most ActivityPub outboxes) because their reader replays them: ``?after=N`` holds the
activities after sequence number N and a ``next`` link to continue from the last one,
so a reader can store ``next`` as its cursor and ask again later for what is new.
Activities addressed to one peer only are never listed.
"""

from __future__ import annotations

import json

from aiohttp import web
from sqlalchemy import select

from federation.jsonld import ACTIVITYSTREAMS
from node.api.numbers import whole_number
from node.api.problems import Problem
from node.discovery_routes import activity_response
from node.network.authorized import require_peer
from node.outbox.models import OutboxEntry
from node.state import NODE

routes = web.RouteTableDef()

PAGE_ITEMS = 100
PAGE_BYTES = 512 * 1024  # stop adding items past this size; every page has at least one


@routes.get("/outbox")
async def outbox(request: web.Request) -> web.Response:
    peer = await require_peer(request)
    state = request.app[NODE]
    # A peer reading our outbox has added us; if its own refused us so far, look again.
    state.federation.catchup.peer_spoke(peer.origin)
    base = f"{state.config.base_url}/outbox"
    after_text = request.query.get("after")
    if after_text is None:
        return activity_response(
            {
                "@context": ACTIVITYSTREAMS,
                "id": base,
                "type": "OrderedCollection",
                "first": f"{base}?after=0",
            }
        )
    after = whole_number(after_text)
    if after is None:
        raise Problem(400, "after must be a sequence number")
    async with state.db.read() as session:
        rows = (
            await session.execute(
                select(OutboxEntry.seq, OutboxEntry.body)
                .where(
                    OutboxEntry.seq > after,
                    OutboxEntry.recipient.is_(None),
                    OutboxEntry.withdrawn_at.is_(None),  # deleted since: withdraw.py
                )
                .order_by(OutboxEntry.seq)
                .limit(PAGE_ITEMS)
            )
        ).all()
    items: list[object] = []
    size = 0
    last = after
    for seq, body in rows:
        if items and size + len(body) > PAGE_BYTES:
            break
        items.append(json.loads(body))
        size += len(body)
        last = seq
    page = {
        "@context": ACTIVITYSTREAMS,
        "id": f"{base}?after={after}",
        "type": "OrderedCollectionPage",
        "partOf": base,
        "orderedItems": items,
    }
    if items:
        page["next"] = f"{base}?after={last}"
    return activity_response(page)
