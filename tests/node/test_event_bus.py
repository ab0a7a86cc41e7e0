"""The event bus hands each subscriber a commit's events together, in order.

An inbox batch commits dozens of events; one task per event and subscriber cost more
than the subscribers' work (seen in the ingest benchmark's profile). A subscriber that
fails must not keep the others from hearing of the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from node.events import CaseCreated, Event, EventBus, Subscriber, ThreadChanged
from node.logs import node_logger


async def test_each_subscriber_gets_a_commits_events_in_one_call() -> None:
    bus = EventBus(node_logger("test.invalid"))
    calls: dict[str, list[list[Event]]] = {"first": [], "second": []}

    def recorder(name: str) -> Subscriber:
        async def subscriber(events: Sequence[Event]) -> None:
            calls[name].append(list(events))

        return subscriber

    bus.subscribe(recorder("first"))
    bus.subscribe(recorder("second"))
    commit = [CaseCreated(1), ThreadChanged(1), CaseCreated(2), ThreadChanged(2)]
    bus.emit(commit)
    bus.emit([])  # a commit that changed nothing anyone hears of
    await bus.drain()
    assert calls == {"first": [commit], "second": [commit]}


async def test_a_failing_subscriber_does_not_silence_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus(node_logger("test.invalid"))
    heard: list[Event] = []

    async def broken(_events: Sequence[Event]) -> None:
        raise RuntimeError("listener bug")

    async def listener(events: Sequence[Event]) -> None:
        heard.extend(events)

    bus.subscribe(broken)
    bus.subscribe(listener)
    with caplog.at_level(logging.ERROR):
        bus.emit([CaseCreated(7), ThreadChanged(7)])
        await bus.drain()
    assert heard == [CaseCreated(7), ThreadChanged(7)]
    [record] = [r for r in caplog.records if r.getMessage() == "event subscriber failed"]
    assert record.__dict__["events"] == ["CaseCreated", "ThreadChanged"]
