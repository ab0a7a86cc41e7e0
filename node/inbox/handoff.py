"""Activities this process has just stored, kept in memory for the worker that applies
them next.

The inbox row is the durable truth: the worker can always read an activity back and
parse it again, and does so after a restart or for a row another process stored. But
a POST's activity was parsed, normalized and verified moments before it was stored,
and reading its two JSON columns back and parsing them again cost the worker about as
much as the statements that apply it. So the store leaves each new activity here, and
the worker takes it by activity id when it claims the row; a row not found here is
read from the database as before.

Bounded, oldest dropped first: on PostgreSQL another node process may claim a row this
one stored, and its entry would otherwise stay here forever.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from federation.inbound.registry import Envelope

# About 20 s of a full-speed burst; each entry is one parsed activity (a few KB).
CAPACITY = 4096


class FreshActivities:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._envelopes: OrderedDict[str, Envelope] = OrderedDict()

    def put(self, envelopes: Iterable[Envelope]) -> None:
        """Called once the transaction that stored them has committed."""
        for envelope in envelopes:
            self._envelopes[envelope.id] = envelope
        while len(self._envelopes) > self._capacity:
            self._envelopes.popitem(last=False)

    def take(self, activity_id: str) -> Envelope | None:
        return self._envelopes.pop(activity_id, None)

    def __len__(self) -> int:
        return len(self._envelopes)
