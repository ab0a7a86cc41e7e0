"""Personal names.

Three kinds of evidence, strongest first:
1. a title right before the name ("Mr", "Frau", "Mme", "Sig.ra", "Dhr.", "Pan", "κ.",
   "מר", "Dr." for people); Hungarian also puts it after ("Kovács úr");
2. a context word ("patient", "his wife", "Tochter", "nommée", "o imieniu", "בשם");
3. the shipped name lists: a known first name followed (or, in Hungarian order,
   preceded) by another capitalised word, or a known first name on its own mid-sentence.

Eponyms ("Crohn", "Parkinson", "Wilson") and words listed in ``not_names.txt`` are
never taken from evidence 2 or 3, and a name followed by "disease", "Syndrom",
"maladie"... is taken for an eponym. A title still wins: "Mr. Wilson" is a person.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from types import MappingProxyType
from typing import Final

from node.deid.finding import NAME, Candidate
from node.deid.lexicon import (
    DISEASE_WORDS,
    EPONYMS,
    FIRST_NAMES,
    LANGUAGES,
    LAST_NAMES,
    NOT_NAMES,
    PROFILES,
    cue_alternation,
    merged,
)
from node.deid.view import WORD, CueIndex, Piece, TextView


def _load_words() -> Mapping[str, tuple[str, ...]]:
    raw = json.loads((resources.files("node.deid") / "data" / "name_words.json").read_text("utf-8"))
    return MappingProxyType({k: tuple(v) for k, v in raw.items() if not k.startswith("_")})


_WORDS: Final = _load_words()

PRIORITY_CUE: Final = 35
PRIORITY_LIST: Final = 30

# Name particles that stay lower case inside a name ("Ludwig van Beethoven").
_PARTICLES: Final = frozenset(_WORDS["particles"])
# Academic and second titles skipped between a title and the name ("Dr. med. Hans").
_TITLE_TAIL: Final = frozenset(_WORDS["title_tails"])
# Capitalised words that end a name: institutions and clinical nouns that follow a
# first name in hospital names ("Maria Hospital") and German prose.
_NAME_STOP: Final = frozenset(_WORDS["name_stops"])
_HEBREW: Final = re.compile(r"[\u05D0-\u05EA]")
# Pronouns between a relation word and the name: "Ο γιος της, Στέλιος", "his wife Anna".
_POSSESSIVES: Final = frozenset(_WORDS["possessives"])


def _title_words() -> frozenset[str]:
    """First words of every title in every language, lower-cased ("dr", "sig", "גב")."""
    words = set(_TITLE_TAIL)
    for code in LANGUAGES:
        for title in merged(code, "titles"):
            found = WORD.search(title)
            if found is not None:
                words.add(found.group().lower())
    return frozenset(words)


_MORBUS_CUES: Final = frozenset({"M", "M."})


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and any(ch.islower() for ch in word[1:])


def _is_initial(tokens: Sequence[Piece], i: int, text: str) -> bool:
    _, end, word = tokens[i]
    return len(word) == 1 and word.isupper() and text[end : end + 1] == "."


def _listed(word: str) -> bool:
    """In the shipped lists, or every part of a hyphenated name is ("Mats-Ole")."""
    if word in FIRST_NAMES or word in LAST_NAMES:
        return True
    parts = word.split("-")
    return len(parts) > 1 and all(p in FIRST_NAMES or p in LAST_NAMES for p in parts)


def _eponym_context(text: str, end: int) -> bool:
    """Is the word ending at ``end`` used as a disease/sign name ("Addison's disease",
    "Bell palsy", "Wilson-Syndrom")?"""
    tail = text[end : end + 40]
    match = re.match(r"(?:['’]s?)?[\s-]*([^\W\d_]+)", tail)
    return match is not None and match.group(1).lower() in DISEASE_WORDS


_TITLE_WORDS: Final = _title_words()
# The English possessive clings to a name token; the span must stop before it.
_POSSESSIVE_ENDINGS: Final = ("'s", "\u2019s")
# Specialists work like a relation word: "our endocrinologist, Siobhan McAteer",
# "vores endokrinolog, Sidsel Dybdahl", "la Dott.ssa ... reumatologa".
_SPECIALIST_ENDINGS: Final = tuple(_WORDS["specialist_endings"])


class _Scan:
    """State of one name scan over one text (built per call; never shared)."""

    def __init__(self, view: TextView) -> None:
        self.text = view.text
        self.view = view
        self.tokens = view.words
        self.starts = [t[0] for t in self.tokens]

    def index_at(self, pos: int) -> int:
        return bisect.bisect_left(self.starts, pos)

    def gap(self, a: Piece, b: Piece) -> str:
        return self.text[a[1] : b[0]]

    def _joined(self, j: int) -> bool:
        """Do tokens j-1 and j belong to one name? A full stop may only follow an
        initial ("J. Smith"); elsewhere it ends the sentence, and the name."""
        gap = self.gap(self.tokens[j - 1], self.tokens[j])
        if gap in (" ", "  ", "-"):
            return True
        return gap in (". ", ".") and _is_initial(self.tokens, j - 1, self.text)

    def gather(
        self, i: int, *, strong: bool, nouns_capitalised: bool = False
    ) -> tuple[int, int, list[str]] | None:
        """Name tokens from index ``i``: initials, particles and capitalised words."""
        tokens, text = self.tokens, self.text
        parts: list[str] = []
        first = last = -1
        j = i
        while j < len(tokens) and len(parts) < 4:
            t_start, t_end, word = tokens[j]
            if parts and not self._joined(j):
                break
            lower = word.lower()
            if not parts and (lower in _TITLE_WORDS or (not strong and lower in _POSSESSIVES)):
                j += 1
                continue
            if _HEBREW.match(word):
                if not parts and not strong and not _listed(word):
                    break  # no capitals in Hebrew: after a weak cue, only known names
                if parts and not (parts[0] in FIRST_NAMES or word in LAST_NAMES):
                    break
                if len(parts) >= 2:
                    break
            elif _is_initial(tokens, j, text):
                pass
            elif lower in _PARTICLES and parts and j + 1 < len(tokens):
                if not _is_cap(tokens[j + 1][2]):
                    break
            elif not _is_cap(word) or lower in _NAME_STOP:
                break
            parts.append(word)
            first = t_start if first < 0 else first
            last = t_end
            j += 1
        while parts and parts[-1].lower() in _PARTICLES:
            parts.pop()
        if not parts or all(len(p) == 1 for p in parts):
            return None
        if not strong:
            head = next(p for p in parts if len(p) > 1)
            if head in NOT_NAMES or head in EPONYMS or _eponym_context(text, last):
                return None
            if nouns_capitalised and len(parts) == 1 and not _listed(head):
                # German capitalises every noun: "Sohn Fieber" is not a name.
                return None
        # Re-trim ``last`` in case trailing particles were dropped.
        last = tokens[self.index_at(first) + len(parts) - 1][1]
        if text[last - 2 : last] in _POSSESSIVE_ENDINGS and last - 2 > first:
            last -= 2  # "Keller's" marks the name "Keller", not "Keller's"
        return first, last, parts


def _cue_patterns(field: str, *, case_sensitive: bool, dotted: bool) -> Mapping[str, CueIndex]:
    return MappingProxyType(
        {
            p: CueIndex(
                merged(p, field),
                re.compile(
                    cue_alternation(
                        merged(p, field), optional_dot=dotted, case_sensitive=case_sensitive
                    )
                    + r"[\s,:(]*"
                ),
            )
            for p in PROFILES
        }
    )


# Titles are abbreviated with or without a dot ("Dr Smith", "Dr. Smith"). Context
# cues are words: after "boy." a new sentence starts, and its first word ("Two weeks
# of cough") is no name. The few abbreviated context cues are listed with their dot.
_TITLES: Final = _cue_patterns("titles", case_sensitive=True, dotted=True)
_CONTEXT: Final = _cue_patterns("name_context", case_sensitive=False, dotted=False)
_TITLES_AFTER: Final = MappingProxyType({p: frozenset(merged(p, "titles_after")) for p in PROFILES})


def detect(view: TextView, profile: str) -> Iterator[Candidate]:
    scan = _Scan(view)
    yield from _after_cues(scan, profile)
    yield from _after_specialists(scan, profile)
    yield from _before_titles(scan, profile)
    yield from _from_lists(scan)


def _after_cues(scan: _Scan, profile: str) -> Iterator[Candidate]:
    for pattern, strong in ((_TITLES[profile], True), (_CONTEXT[profile], False)):
        for match in pattern.matches(scan.view):
            i = scan.index_at(match.end())
            if i >= len(scan.tokens) or scan.tokens[i][0] != match.end():
                continue
            found = scan.gather(i, strong=strong, nouns_capitalised=profile in ("de", "*"))
            if found is None:
                continue
            start, end, parts = found
            cue = match.group().strip(" ,:")
            if cue in _MORBUS_CUES and all(p in EPONYMS for p in parts):
                continue  # "M. Crohn" is Morbus Crohn in German, not Monsieur Crohn
            yield Candidate(start, end, NAME, PRIORITY_CUE)


def _after_specialists(scan: _Scan, profile: str) -> Iterator[Candidate]:
    tokens, text = scan.tokens, scan.text
    for i, (_, end, word) in enumerate(tokens[:-1]):
        if not word.lower().endswith(_SPECIALIST_ENDINGS):
            continue
        if text[end : tokens[i + 1][0]].strip(" ,:(") != "":
            continue
        found = scan.gather(i + 1, strong=False, nouns_capitalised=profile in ("de", "*"))
        if found is not None:
            yield Candidate(found[0], found[1], NAME, PRIORITY_CUE)


def _before_titles(scan: _Scan, profile: str) -> Iterator[Candidate]:
    after = _TITLES_AFTER[profile]
    tokens = scan.tokens
    for i, (t_start, t_end, word) in enumerate(tokens):
        if word in after and i > 0 and _is_cap(tokens[i - 1][2]):
            start = tokens[i - 1][0]
            if i > 1 and _is_cap(tokens[i - 2][2]) and tokens[i - 2][2] in LAST_NAMES:
                start = tokens[i - 2][0]
            yield Candidate(start, tokens[i - 1][1], NAME, PRIORITY_CUE)
        elif word.endswith("né") and word[:-2] in LAST_NAMES and _is_cap(word):
            # Hungarian married name: Kovácsné = Mrs Kovács.
            yield Candidate(t_start, t_end, NAME, PRIORITY_CUE)


def _from_lists(scan: _Scan) -> Iterator[Candidate]:
    tokens, text = scan.tokens, scan.text
    for i, (t_start, t_end, word) in enumerate(tokens):
        if word not in FIRST_NAMES or word in EPONYMS:
            continue
        hebrew = bool(_HEBREW.match(word))
        if not hebrew and not _is_cap(word):
            continue
        start, end = t_start, t_end
        # Hungarian order (and "Smith, John"): a known surname right before.
        if i > 0:
            prev = tokens[i - 1]
            gap = scan.gap(prev, tokens[i])
            if prev[2] in LAST_NAMES and _is_cap(prev[2]) and gap in (" ", ", "):
                start = prev[0]
        following = scan.gather(i + 1, strong=True) if i + 1 < len(tokens) else None
        if following is not None and scan.gap(tokens[i], tokens[i + 1]) == " ":
            _, f_end, parts = following
            surname_known = parts[0] in LAST_NAMES
            if (
                (hebrew and not surname_known)
                or (not surname_known and (word in NOT_NAMES or all(p in EPONYMS for p in parts)))
                or _eponym_context(text, f_end)
            ):
                following = None
            else:
                end = f_end
        else:
            following = None
        # A first name alone. Words that are also common nouns are in not_names.txt;
        # Hebrew first names are often ordinary words, so they need a surname.
        alone = following is None and start == t_start
        if alone and (hebrew or word in NOT_NAMES or _eponym_context(text, t_end)):
            continue
        yield Candidate(start, end, NAME, PRIORITY_LIST)
