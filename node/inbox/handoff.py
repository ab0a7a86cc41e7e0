"""Activities this process has just stored, kept in memory for the worker that applies
them next.

The inbox row is the durable truth: the worker can always read an activity back and
parse it again, and does so after a restart or for a row another process stored. But
a POST's activity was parsed, normalized and verified moments before it was stored,
and reading its two JSON columns back and parsing them again cost the worker about as
much as the statements that apply it. So the store leaves each new activity here, and
the worker finds it there by activity id, and it is dropped once applied; a row not
found here is read from the database as before.

Bounded by count and by size, and an entry expires: on PostgreSQL another node
process may apply a row this one stored, and its entry would otherwise stay. When
full, new entries are refused rather than old ones dropped: the worker goes oldest
first, so the oldest entries are the next it needs.
"""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from collections.abc import Iterable

from federation.inbound.registry import Envelope

# About 20 s of a full-speed burst; a usual activity is 1-2 KB of JSON.
CAPACITY = 4096
# An activity larger than this is read back from its row instead (a padded one could
# otherwise pin a lot of memory), and all entries together stay under MAX_TOTAL_BYTES.
MAX_ENTRY_BYTES = 64 * 1024
MAX_TOTAL_BYTES = 32 * 1024 * 1024
# The worker applies a stored activity within a second or two; one still here after
# this was applied by another process, or waits behind a backlog read from the rows.
EXPIRES_SECONDS = 60.0


@dataclasses.dataclass(frozen=True)
class _Entry:
    envelope: Envelope
    size: int
    stored_at: float


class FreshActivities:
    def __init__(
        self,
        capacity: int = CAPACITY,
        *,
        max_total_bytes: int = MAX_TOTAL_BYTES,
        expires_seconds: float = EXPIRES_SECONDS,
    ) -> None:
        self._capacity = capacity
        self._max_total_bytes = max_total_bytes
        self._expires_seconds = expires_seconds
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._total_bytes = 0

    def put(self, envelopes: Iterable[Envelope]) -> None:
        """Called as the transaction that stored them commits (the store takes them
        back if it does not)."""
        now = time.monotonic()
        self._expire(now)
        for envelope in envelopes:
            size = len(envelope.raw_json) if envelope.raw_json is not None else MAX_ENTRY_BYTES
            if (
                size >= MAX_ENTRY_BYTES
                or len(self._entries) >= self._capacity
                or self._total_bytes + size > self._max_total_bytes
                or envelope.id in self._entries
            ):
                continue  # read back from its row, as after a restart
            # The wire text was only needed to store the activity.
            kept = dataclasses.replace(envelope, raw_json=None)
            self._entries[envelope.id] = _Entry(kept, size, now)
            self._total_bytes += size

    def get(self, activity_id: str) -> Envelope | None:
        entry = self._entries.get(activity_id)
        return entry.envelope if entry is not None else None

    def discard(self, activity_ids: Iterable[str]) -> None:
        """Applied (or failed, to be retried from its row): no longer needed here."""
        for activity_id in activity_ids:
            entry = self._entries.pop(activity_id, None)
            if entry is not None:
                self._total_bytes -= entry.size

    def __len__(self) -> int:
        return len(self._entries)

    def _expire(self, now: float) -> None:
        while self._entries:
            activity_id, oldest = next(iter(self._entries.items()))
            if now - oldest.stored_at < self._expires_seconds:
                return
            self.discard([activity_id])
