"""One pass over the text that every detector shares.

A regex tried at every offset of a 5,000-character case costs about half a
millisecond, and there are dozens of patterns. So the text is split once into words
and digit groups; each detector picks the few places where its identifier can start
(a cue word, a long number, a month name, "@") and runs its full pattern only in a
small window around them. Pieces are plain ``(start, end, text)`` tuples because a
case has about a thousand of them and tuples are the cheapest to build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

Piece = tuple[int, int, str]

WORD: Final = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Digit groups joined by one separator: "14/03/2024", "+44 20 7946 0958", "4471-223".
_NUMBER: Final = re.compile(r"\d+(?:[ .\-/+]\d+)*")


def digit_count(value: str) -> int:
    return sum(map(str.isdigit, value))


class TextView:
    """A text with its words and numbers located (built once per scan)."""

    __slots__ = ("by_word", "digits", "numbers", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words: list[Piece] = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
        self.numbers: list[Piece] = [
            (m.start(), m.end(), m.group()) for m in _NUMBER.finditer(text)
        ]
        # Digits in each number, parallel to ``numbers``.
        self.digits = [sum(map(str.isdigit, n[2])) for n in self.numbers]
        # Lower-cased word -> its start offsets, so a cue list is checked with one set
        # intersection instead of a look-up per word per list.
        self.by_word: dict[str, list[int]] = {}
        for start, _, word in self.words:
            lowered = word.lower()
            self.by_word.setdefault(lowered, []).append(start)
            # German compounds carry the cue at the end: "LKW-Kennzeichen".
            hyphen = lowered.rfind("-")
            if hyphen > 0:
                self.by_word.setdefault(lowered[hyphen + 1 :], []).append(start + hyphen + 1)

    def numbers_with(self, min_digits: int, max_digits: int = 99) -> list[Piece]:
        return [
            n
            for n, d in zip(self.numbers, self.digits, strict=True)
            if min_digits <= d <= max_digits
        ]

    def near(
        self, pattern: re.Pattern[str], anchors: Iterable[Piece], *, before: int, after: int
    ) -> Iterator[re.Match[str]]:
        """Matches of ``pattern`` within windows around ``anchors`` (each match once).

        Lookbehinds still see the characters before a window, so word boundaries behave
        as in a whole-text search.
        """
        seen: set[tuple[int, int]] = set()
        limit = len(self.text)
        for start, end, _ in anchors:
            lo, hi = max(0, start - before), min(limit, end + after)
            for match in pattern.finditer(self.text, lo, hi):
                if match.span() not in seen:
                    seen.add(match.span())
                    yield match

    def occurrences(self, pattern: re.Pattern[str]) -> list[Piece]:
        """Where a literal-led ``pattern`` occurs, as anchors. (Not ``text.lower().find``:
        lower-casing can change the length of a string, "İ" becomes two characters, and
        the offsets would drift.)"""
        return [(m.start(), m.end(), m.group()) for m in pattern.finditer(self.text)]


class CueIndex:
    """Finds cue phrases by their first word, then matches the full pattern there.

    ``pattern`` must start with the cue alternation; it is tried with ``match`` only at
    words whose lower-cased form starts some cue, instead of at every offset.
    """

    __slots__ = ("first_words", "pattern")

    def __init__(self, cues: Iterable[str], pattern: re.Pattern[str]) -> None:
        firsts = set()
        for cue in cues:
            found = WORD.search(cue)
            if found is not None:
                firsts.add(found.group().lower())
        self.first_words = frozenset(firsts)
        self.pattern = pattern

    def matches(self, view: TextView) -> Iterator[re.Match[str]]:
        for word in self.first_words & view.by_word.keys():
            for start in view.by_word[word]:
                match = self.pattern.match(view.text, start)
                if match is not None:
                    yield match
