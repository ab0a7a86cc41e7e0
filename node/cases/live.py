"""Live updates of an open case page, as server-sent events.

The node subscribes once to its event bus; every open stream registers for its case,
and a ``ThreadChanged`` for that case wakes it to send one ``thread`` event. Streams
only say *that* something changed, never what: the page then fetches itself, through
the same access checks as any page view. Bursts coalesce (several changes before the
stream wakes up make one event), a comment line every ~25 s keeps proxies from
closing an idle stream, and a stream ends when its reader goes away or the node stops.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from aiohttp import web

from i18n.translate import gettext
from node.api.problems import Problem
from node.cases.access import case_or_404
from node.events import Event, ThreadChanged
from node.network.waiting import wait_event
from node.state import NODE, node_state
from node.web.context import page_member

routes = web.RouteTableDef()

HEARTBEAT_SECONDS = 25.0
# How often a quiet stream checks that its reader is still connected.
CHECK_SECONDS = 5.0
# Tells EventSource how long to wait before reconnecting after a drop (ms).
RETRY_MS = 5000


class LiveUpdates:
    """The node's open case streams, by case."""

    def __init__(self) -> None:
        self._watchers: dict[int, set[asyncio.Event]] = {}
        self.closing = False

    async def on_events(self, events: Sequence[Event]) -> None:
        for event in events:
            if isinstance(event, ThreadChanged):
                for changed in self._watchers.get(event.case_id, ()):
                    changed.set()

    @contextmanager
    def watch(self, case_id: int) -> Iterator[asyncio.Event]:
        changed = asyncio.Event()
        self._watchers.setdefault(case_id, set()).add(changed)
        try:
            yield changed
        finally:
            watchers = self._watchers.get(case_id, set())
            watchers.discard(changed)
            if not watchers:
                self._watchers.pop(case_id, None)

    @property
    def open_streams(self) -> int:
        return sum(len(watchers) for watchers in self._watchers.values())

    async def close(self, _app: web.Application) -> None:
        """At shutdown: end every stream now rather than after the server's timeout."""
        self.closing = True
        for watchers in self._watchers.values():
            for changed in watchers:
                changed.set()


LIVE_UPDATES = web.AppKey("curbside_live_updates", LiveUpdates)


def install_live_updates(app: web.Application) -> None:
    """One hub per node (application), subscribed once to that node's events."""
    hub = LiveUpdates()
    app[LIVE_UPDATES] = hub
    app[NODE].events.subscribe(hub.on_events)
    app.on_shutdown.append(hub.close)


def _reader_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


@routes.get("/cases/{local_id}/events")
async def case_events(request: web.Request) -> web.StreamResponse:
    # An EventSource cannot follow a login redirect usefully: answer with the status.
    member = page_member(request)
    if member is None:
        raise Problem(401, gettext("Please sign in."), slug="unauthorized")
    if not member.is_verified:
        raise Problem(403, gettext("Only verified members can read cases."), slug="not-verified")
    async with node_state(request).db.read() as session:
        case_id = (await case_or_404(session, request.match_info["local_id"])).id
    hub = request.app[LIVE_UPDATES]
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # let reverse proxies pass events through at once
        }
    )
    with hub.watch(case_id) as changed:
        try:
            # Inside the try: a page left as its stream opens is gone before the headers.
            await response.prepare(request)
            await response.write(f"retry: {RETRY_MS}\n\n".encode())
            last_write = time.monotonic()
            while not hub.closing and not _reader_gone(request):
                if not await wait_event(changed, CHECK_SECONDS):
                    if time.monotonic() - last_write >= HEARTBEAT_SECONDS:
                        await response.write(b": keep-alive\n\n")
                        last_write = time.monotonic()
                    continue
                changed.clear()
                if hub.closing:
                    break
                await response.write(b"event: thread\ndata: changed\n\n")
                last_write = time.monotonic()
        except ConnectionResetError:
            pass  # the reader left (between two checks, or at once); nothing more to send
    return response
