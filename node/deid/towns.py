"""Towns named without a residence cue: "a patient from Inverness", "aus Görlitz",
"asuu Kajaanissa", "z Przemyśla", "מעפולה".

The shipped gazetteer (GeoNames towns of 1,000+ inhabitants in the network's
countries) says which capitalised words are towns. Because many towns share their name
with a word ("March", "Wells", "Essen", "Bath"), a gazetteer hit counts only after a
place preposition ("in", "aus", "à", "z", "στην"), or, in Finnish and Hungarian, which
mark place with case endings instead, as an inflected form ("Kajaanista",
"Hajdúszoboszlón", "nyíregyházi"). Eponyms ("maladie de Wilson") and month names are
never towns here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

from node.deid.finding import TOWN, Candidate
from node.deid.lexicon import (
    DISEASE_WORDS,
    EPONYMS,
    LANGUAGE_DATA,
    NOT_TOWNS,
    PROFILES,
    TOWN_NAMES,
    merged,
    profile_languages,
)
from node.deid.view import Piece, TextView

# Below cue-led names (35): "Dr. Lincoln" is a person; above list-based names (30).
PRIORITY: Final = 33
_MAX_WORDS: Final = 4
_HEBREW_PREFIXES: Final = frozenset("מבלו")
_CASE_MARKING: Final = frozenset({"fi", "hu"})


def _months() -> frozenset[str]:
    return frozenset(
        form.lower()
        for code in LANGUAGE_DATA
        for month in LANGUAGE_DATA[code].months
        for form in month
    )


_MONTH_WORDS: Final = _months()
_PREPS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {p: frozenset(w.lower() for w in merged(p, "town_preps")) for p in PROFILES}
)
_SUFFIXES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {p: tuple(sorted(set(merged(p, "town_suffixes")), key=len, reverse=True)) for p in PROFILES}
)


def _is_hebrew(word: str) -> bool:
    return "\u05d0" <= word[0] <= "\u05ea"


def known(name: str) -> bool:
    return (
        name in TOWN_NAMES
        and name.lower() not in _MONTH_WORDS
        and name.lower() not in NOT_TOWNS
        and name not in EPONYMS
    )


def _base_form(word: str, suffixes: tuple[str, ...]) -> str | None:
    """The gazetteer form of an inflected town name, trying each case ending and the
    usual stem changes (Tampere-ella, Nyíregyház-a/-i, Przemyśl-a)."""
    if not word.endswith(suffixes):
        return None  # one C-level test before trying each ending
    for suffix in suffixes:
        if len(word) - len(suffix) < 3 or not word.endswith(suffix):
            continue
        stem = word[: -len(suffix)]
        for candidate in (stem, stem + "a", stem + "e", stem + "ä", stem[:-1]):
            if known(candidate):
                return candidate
    return None


def known_form(word: str, profile: str) -> bool:
    """Is ``word`` a town of the gazetteer, as written or inflected ("Szegeden")?"""
    token = word[0].upper() + word[1:]
    return known(token) or _base_form(token, _SUFFIXES[profile]) is not None


def detect(view: TextView, profile: str) -> Iterator[Candidate]:
    preps = _PREPS[profile]
    suffixes = _SUFFIXES[profile]
    case_marking = any(c in _CASE_MARKING for c in profile_languages(profile))
    hebrew = profile in ("he", "*")
    words = view.words
    text = view.text
    for i, (start, end, word) in enumerate(words):
        if hebrew and _is_hebrew(word):
            if word[0] in _HEBREW_PREFIXES and known(word[1:]):
                yield Candidate(start + 1, end, TOWN, PRIORITY)
            continue
        capital = word[0].isupper()
        if not capital and not (case_marking and word.endswith("i")):
            continue
        after_prep = i > 0 and _after_preposition(text, words[i - 1], start, preps)
        if after_prep and not _disease_before(words, i) and capital:
            found = _longest_town(text, words, i)
            # "from Bay 3", "in Room 12": a capitalised word and a number is a place in
            # the hospital, not a town.
            numbered = found is not None and text[found : found + 3].strip()[:1].isdigit()
            if found is not None and not numbered and not _disease_after(text, found):
                yield Candidate(start, found, TOWN, PRIORITY)
                continue
        if suffixes and (after_prep or case_marking):
            if not capital and len(word) < 7:
                continue  # "napi", "heti": short lower-case adjectives are not places
            token = word[0].upper() + word[1:]
            if _base_form(token, suffixes) is not None and not _sentence_start(text, start):
                yield Candidate(start, end, TOWN, PRIORITY)


def _after_preposition(text: str, prev: Piece, start: int, preps: frozenset[str]) -> bool:
    gap = text[prev[1] : start]
    return prev[2].lower() in preps and gap in (" ", "'", "’", " l'", "-")


def _disease_before(words: list[Piece], i: int) -> bool:
    """ "maladie de Wilson", "síndrome de Down": the word before the preposition."""
    return i > 1 and words[i - 2][2].lower() in DISEASE_WORDS


def _disease_after(text: str, end: int) -> bool:
    tail = text[end : end + 24].lstrip(" -'’s").split(" ", 1)[0].lower()
    return tail.strip(".,;:") in DISEASE_WORDS


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" ")
    return not before or before[-1] in ".!?\n"


def _longest_town(text: str, words: list[Piece], i: int) -> int | None:
    """End offset of the longest gazetteer name starting at word ``i`` (up to four
    words: "Frankfurt am Main", "Alcalá de Henares")."""
    best = None
    start = words[i][0]
    for j in range(i, min(len(words), i + _MAX_WORDS)):
        if j > i and text[words[j - 1][1] : words[j][0]] not in (" ", "-"):
            break
        if known(text[start : words[j][1]]):
            best = words[j][1]
    return best
