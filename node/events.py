"""Domain events: what changed, announced after the change is committed.

Code that changes data records an event on its session (``record_event``); when the
write transaction commits, the node's ``EventBus`` hands the events to subscribers
(notifications, live updates of open pages). A rolled-back change announces nothing,
and subscribers always find the data they are told about.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from node.logs import NodeLogger

_KEY = "curbside_events"


@dataclass(frozen=True)
class CaseCreated:
    case_id: int


@dataclass(frozen=True)
class ReplyCreated:
    case_id: int
    reply_id: int


@dataclass(frozen=True)
class CaseResolved:
    case_id: int


@dataclass(frozen=True)
class ThreadChanged:
    """Anything visible on a case page changed (replies, counts, poll, status)."""

    case_id: int


@dataclass(frozen=True)
class VisibilityChanged:
    """A moderator hid a post of the case, or showed it again: notifications about it
    leave (or come back to) members' unread counts."""

    case_id: int


Event = CaseCreated | ReplyCreated | CaseResolved | ThreadChanged | VisibilityChanged
# A subscriber gets the events of one commit together: a batch of the inbox worker
# can commit dozens, and one call (one task) per event and subscriber cost more than
# the subscribers' own work.
Subscriber = Callable[[Sequence[Event]], Awaitable[None]]


def record_event(session: AsyncSession, event: Event) -> None:
    session.info.setdefault(_KEY, []).append(event)
    if not isinstance(event, ThreadChanged):
        session.info[_KEY].append(ThreadChanged(event.case_id))


def take_events(session: AsyncSession) -> list[Event]:
    events: list[Event] = session.info.pop(_KEY, [])
    return list(dict.fromkeys(events))  # one ThreadChanged per case is enough


# How long shutdown waits for event subscribers still at work.
DRAIN_SECONDS = 10.0


class EventBus:
    def __init__(self, log: NodeLogger) -> None:
        self._subscribers: list[Subscriber] = []
        self._log = log
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def emit(self, events: list[Event]) -> None:
        """Hand a commit's events to every subscriber, without making the writer wait."""
        if not events:
            return
        for subscriber in self._subscribers:
            task = asyncio.create_task(self._deliver(subscriber, events))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, subscriber: Subscriber, events: list[Event]) -> None:
        try:
            await subscriber(events)
        except Exception:  # subscriber boundary: one failing listener must not stop others
            self._log.exception(
                "event subscriber failed",
                extra={"events": sorted({type(event).__name__ for event in events})},
            )

    async def drain(self, within: float = DRAIN_SECONDS) -> None:
        """Wait for subscribers still running (at shutdown), for ``within`` seconds at
        most; those still running then are cancelled, so a listener stuck on a
        network call cannot keep the node from stopping."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=within)
        for task in late:
            task.cancel()
        if late:
            self._log.error("event subscribers cancelled at shutdown", extra={"count": len(late)})
            await asyncio.wait(late, timeout=within)
