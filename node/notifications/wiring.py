"""Plugging notifications into one node's application (called by ``create_app``)."""

from __future__ import annotations

from aiohttp import web

from node.notifications.badge import unread_badge, unread_count_of
from node.notifications.live import UNREAD_SIGNAL, UnreadSignal
from node.notifications.triggers import NotificationTriggers
from node.state import NodeState


def install(app: web.Application, state: NodeState) -> None:
    """Per node, so several nodes in one process never share a listener:

    - the unread signal that open event streams wait on (ended at shutdown, so the
      server does not wait its shutdown timeout for streams that never finish);
    - the event subscriber that turns domain events into notifications;
    - the badge: a middleware appended after the session middleware (it needs the
      signed-in member) and the ``unread_count(request)`` template function.
    """
    signal = UnreadSignal()
    app[UNREAD_SIGNAL] = signal
    app.on_shutdown.append(signal.close)
    state.events.subscribe(NotificationTriggers(state, signal))
    app.middlewares.append(unread_badge)
    state.templates.globals["unread_count"] = unread_count_of
