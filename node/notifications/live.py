"""The live unread count: a server-sent event stream per open page, and its signal.

Each node holds one ``UnreadSignal``. Whatever may change a member's unread count
(new notifications, marking some read) calls ``changed(member_ids)``; every open
stream of those members wakes up, counts again (one indexed COUNT) and sends the
number if it differs from the last one sent. A stream also recounts at every
heartbeat, which catches changes made by another process of the same node (several
processes share one PostgreSQL database but not their memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable, Iterator

from aiohttp import web

from i18n.translate import gettext
from node.api.problems import Problem
from node.network.waiting import wait_event
from node.notifications.service import badge_count
from node.state import NODE, NodeState
from node.web.context import page_member

# How long a browser waits before reconnecting a dropped stream.
RETRY_MILLISECONDS = 5000


class UnreadSignal:
    """Wakes the open streams of members whose unread count may have changed."""

    def __init__(self) -> None:
        self._listeners: dict[int, set[asyncio.Event]] = {}
        self.closed = False

    @contextlib.contextmanager
    def listen(self, member_id: int) -> Iterator[asyncio.Event]:
        wake = asyncio.Event()
        self._listeners.setdefault(member_id, set()).add(wake)
        try:
            yield wake
        finally:
            listeners = self._listeners.get(member_id, set())
            listeners.discard(wake)
            if not listeners:
                self._listeners.pop(member_id, None)

    def changed(self, member_ids: Iterable[int]) -> None:
        for member_id in member_ids:
            for wake in self._listeners.get(member_id, ()):
                wake.set()

    def changed_for_everyone(self) -> None:
        """Every open stream counts again: for a change that may concern anyone (a
        hidden post's notifications); rare, and each stream counts once."""
        self.changed(list(self._listeners))

    def listening(self, member_id: int) -> int:
        """How many streams this member has open (for tests and diagnostics)."""
        return len(self._listeners.get(member_id, ()))

    async def close(self, _app: web.Application | None = None) -> None:
        """At shutdown: end every stream now, rather than make the server wait for them."""
        self.closed = True
        for listeners in self._listeners.values():
            for wake in listeners:
                wake.set()


UNREAD_SIGNAL = web.AppKey("curbside_unread_signal", UnreadSignal)


def unread_signal(request: web.Request) -> UnreadSignal:
    return request.app[UNREAD_SIGNAL]


async def count_for(state: NodeState, member_id: int) -> int:
    """What the badge shows: counted up to BADGE_CAP (see service.badge_count)."""
    async with state.db.read() as session:
        return await badge_count(session, member_id)


def unread_event(count: int) -> bytes:
    return f"event: unread\ndata: {json.dumps({'unread_count': count})}\n\n".encode()


async def unread_stream(request: web.Request) -> web.StreamResponse:
    """``GET /notifications/events``: the member's unread count, now and whenever it
    changes, as ``event: unread`` with ``{"unread_count": N}`` (N counted up to
    ``BADGE_CAP``, what the badge shows); a comment line at every
    heartbeat keeps proxies from closing an idle connection."""
    member = page_member(request)
    if member is None:
        raise Problem(401, gettext("Sign in to follow your notifications."), slug="unauthorized")
    if not member.is_verified:
        raise Problem(403, gettext("Only verified members get notifications."), slug="not-verified")
    state = request.app[NODE]
    signal = unread_signal(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx: pass events through, do not buffer them
        }
    )
    heartbeat = state.config.notification_heartbeat_seconds
    with signal.listen(member.id) as wake:
        try:
            # Inside the try: a page left as its stream opens is gone before the headers.
            await response.prepare(request)
            await response.write(f"retry: {RETRY_MILLISECONDS}\n\n".encode())
            sent: int | None = None
            quiet = False
            while not signal.closed:
                count = await count_for(state, member.id)
                if count != sent:
                    await response.write(unread_event(count))
                    sent = count
                elif quiet:
                    await response.write(b": heartbeat\n\n")
                quiet = not await wait_event(wake, heartbeat)
                wake.clear()
        except ConnectionResetError:
            pass  # the page was closed: leaving the block unsubscribes this stream
    return response
