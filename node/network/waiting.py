"""The one way workers sleep: until woken, or until the poll interval passes."""

from __future__ import annotations

import asyncio
import contextlib


async def nap(wake: asyncio.Event, seconds: float) -> None:
    """Return when ``wake`` is set or after ``seconds``; ``wake`` is cleared either way.

    Waking makes in-process work immediate; the poll interval covers work that
    another process (or a clock, such as a retry time) made due.
    """
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), seconds)
    wake.clear()
