"""``scan()``: run every detector and settle overlaps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from node.deid import (
    ages,
    contact,
    dates,
    facilities,
    names,
    national_ids,
    places,
    records,
    towns,
)
from node.deid.finding import Candidate, Finding, resolve
from node.deid.lexicon import normalise_language
from node.deid.view import TextView

Detector = Callable[[TextView, str], Iterator[Candidate]]

# Order does not matter for the result (``resolve`` ranks by priority and length);
# it is listed from most to least specific for the reader.
DETECTORS: Final[tuple[Detector, ...]] = (
    contact.detect,
    national_ids.detect,
    records.detect,
    dates.detect,
    ages.detect,
    facilities.detect,
    places.detect,
    towns.detect,
    names.detect,
)


def scan(text: str, language: str) -> list[Finding]:
    """Identifying spans in ``text``, sorted by offset and non-overlapping.

    ``language`` is the case's language tag ("de", "fr-CA", "nb"); the tables of that
    language and English are used, or all of them for a language we do not know.
    """
    profile = normalise_language(language)
    view = TextView(text)
    candidates = [cand for detect in DETECTORS for cand in detect(view, profile)]
    return resolve(text, candidates)
