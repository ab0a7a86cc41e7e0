"""The result type of a scan and the rule that turns overlapping candidates into findings."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

NAME: Final = "name"
DATE: Final = "date"
AGE_OVER_89: Final = "age_over_89"
PHONE: Final = "phone"
EMAIL: Final = "email"
NATIONAL_ID: Final = "national_id"
RECORD_NUMBER: Final = "record_number"
ADDRESS: Final = "address"
POSTCODE: Final = "postcode"
TOWN: Final = "town"
URL: Final = "url"
IP_ADDRESS: Final = "ip_address"
SERIAL_NUMBER: Final = "serial_number"
FACILITY: Final = "facility"  # a hospital or practice, by name

KINDS: Final[frozenset[str]] = frozenset(
    {
        NAME,
        DATE,
        AGE_OVER_89,
        PHONE,
        EMAIL,
        NATIONAL_ID,
        RECORD_NUMBER,
        ADDRESS,
        POSTCODE,
        TOWN,
        URL,
        IP_ADDRESS,
        SERIAL_NUMBER,
        FACILITY,
    }
)


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One identifying span: ``text == original[start:end]``."""

    start: int
    end: int
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A detector's proposal. ``priority`` settles overlaps: a higher one wins.

    Priorities encode how much evidence a detector had: a checksum-valid or cue-led
    identifier beats a shape-only guess, and anything beats a name guessed from a list,
    because a name inside an e-mail address or a street name is better reported as that.
    """

    start: int
    end: int
    kind: str
    priority: int


def resolve(text: str, candidates: Iterable[Candidate]) -> list[Finding]:
    """Pick non-overlapping candidates: highest priority first, then the longest span."""
    unique: dict[tuple[int, int, str], Candidate] = {}
    for c in candidates:
        key = (c.start, c.end, c.kind)
        if c.end > c.start and (key not in unique or unique[key].priority < c.priority):
            unique[key] = c
    ranked = sorted(unique.values(), key=lambda c: (-c.priority, c.start - c.end, c.start))
    starts: list[int] = []  # taken spans, kept sorted and non-overlapping
    taken: list[Candidate] = []
    for cand in ranked:
        i = bisect.bisect_right(starts, cand.start)
        # Only the neighbours can overlap, since taken spans never overlap each other.
        if i > 0 and taken[i - 1].end > cand.start:
            continue
        if i < len(taken) and taken[i].start < cand.end:
            continue
        starts.insert(i, cand.start)
        taken.insert(i, cand)
    return [Finding(c.start, c.end, c.kind, text[c.start : c.end]) for c in taken]
