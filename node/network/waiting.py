"""The one way workers and live streams sleep: until woken, or until time passes.

``asyncio.wait_for`` is not used for this: on Python 3.11 it returns normally when
the awaited event fires at the moment the task is cancelled, and the cancellation is
lost. A worker that loses it never stops, and a node's shutdown waits for it forever
(seen as a test run that hung in teardown). ``asyncio.timeout`` has no such race.
"""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, seconds: float) -> bool:
    """True when ``event`` is set within ``seconds``, False when the time ran out."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


async def nap(wake: asyncio.Event, seconds: float) -> None:
    """Return when ``wake`` is set or after ``seconds``; ``wake`` is cleared either way.

    Waking makes in-process work immediate; the poll interval covers work that
    another process (or a clock, such as a retry time) made due.
    """
    await wait_event(wake, seconds)
    wake.clear()
