"""A node always stops: workers' sleeps never lose a cancellation, and a worker that
will not stop cannot hold the node's shutdown hostage."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from types import SimpleNamespace
from typing import cast

import pytest

from node.events import Event, EventBus, ThreadChanged
from node.logs import node_logger
from node.network import runtime
from node.network.waiting import nap, wait_event
from node.state import NodeState
from tests.rig import NodeNetwork


async def test_a_nap_woken_and_cancelled_at_once_is_cancelled() -> None:
    # asyncio.wait_for on Python 3.11 returns normally here and the worker runs on.
    wake = asyncio.Event()
    sleeper = asyncio.create_task(nap(wake, 60))
    await asyncio.sleep(0)  # the sleeper is waiting now
    wake.set()
    sleeper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeper


async def test_wait_event_says_whether_the_event_came() -> None:
    event = asyncio.Event()
    assert await wait_event(event, 0.01) is False
    event.set()
    assert await wait_event(event, 0.01) is True


@pytest.mark.sqlite_only
async def test_a_stuck_worker_does_not_keep_the_node_from_stopping(
    network: NodeNetwork, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    node = await network.spawn("US")
    stubborn_started = asyncio.Event()
    released = False

    async def stubborn() -> None:
        stubborn_started.set()
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if released:
                    raise
                # otherwise: a worker that ignores being told to stop

    federation = node.state.runtime
    assert federation is not None
    task = asyncio.create_task(stubborn(), name="stubborn")
    federation.tasks.append(task)
    await stubborn_started.wait()
    monkeypatch.setattr(runtime, "STOP_SECONDS", 0.5)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        await node.stop()
    assert time.monotonic() - started < 30  # not forever
    assert any(
        "did not stop in time" in r.getMessage() and getattr(r, "worker", "") == "stubborn"
        for r in caplog.records
    )
    assert not task.done()
    released = True  # the test's own clean-up
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_stuck_event_subscriber_is_cancelled_at_shutdown() -> None:
    bus = EventBus(node_logger("test.invalid"))
    finished: list[str] = []

    async def stuck(_events: Sequence[Event]) -> None:
        try:
            await asyncio.sleep(3600)  # say, an SMTP server that never answers
        finally:
            finished.append("stuck")

    async def quick(_events: Sequence[Event]) -> None:
        finished.append("quick")

    bus.subscribe(stuck)
    bus.subscribe(quick)
    bus.emit([ThreadChanged(1)])
    await bus.drain(within=0.2)
    assert sorted(finished) == ["quick", "stuck"]


async def test_a_worker_whose_clean_up_fails_while_stopping_is_not_restarted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Seen when a node's database went away first: the delivery worker's hand-back of
    # its leases failed on the way out, the supervisor restarted it, and the node
    # never stopped.
    starts: list[int] = []

    async def worker() -> None:
        starts.append(1)
        try:
            await asyncio.sleep(3600)
        finally:
            raise RuntimeError("unable to open database file")

    state = cast(NodeState, SimpleNamespace(log=node_logger("test.invalid")))
    supervised = asyncio.create_task(runtime._supervised(state, "delivery", worker))
    await asyncio.sleep(0.01)
    supervised.cancel()
    with caplog.at_level(logging.ERROR), pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(supervised, timeout=2)
    assert starts == [1]
    assert "worker failed while stopping" in caplog.text
