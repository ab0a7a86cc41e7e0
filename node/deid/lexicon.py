"""Word lists and per-language cue tables shipped under ``node/deid/data``.

Everything is read once at import into immutable containers, so a scan does no I/O
and two nodes in one process share the same read-only tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from importlib import resources
from types import MappingProxyType
from typing import Final

LANGUAGES: Final = tuple(
    ["en", "es", "fr", "it", "de", "nl", "da", "sv", "nb", "fi", "he", "pl", "el", "hu"]
)
# A text whose language is not one of ours is scanned with every table: better a few
# more false alarms than a missed identifier in a case that is about to leave the node.
ALL: Final = "*"
PROFILES: Final = (*LANGUAGES, ALL)

_ALIASES: Final = MappingProxyType({"no": "nb", "nn": "nb", "iw": "he", "gr": "el"})

_DATA = resources.files("node.deid") / "data"


@dataclass(frozen=True, slots=True)
class LanguageData:
    """One language's cue words (see ``data/lang/en.json`` for the meaning of each)."""

    language: str
    months: tuple[tuple[str, ...], ...]
    months_case_sensitive: bool = False
    holidays: tuple[str, ...] = ()
    number_first_streets: bool = False
    titles: tuple[str, ...] = ()
    titles_after: tuple[str, ...] = ()
    name_context: tuple[str, ...] = ()
    age_before_re: tuple[str, ...] = ()
    age_after_re: tuple[str, ...] = ()
    age_words_re: tuple[str, ...] = ()
    phone_cues: tuple[str, ...] = ()
    national_id_cues: tuple[str, ...] = ()
    record_cues: tuple[str, ...] = ()
    serial_cues: tuple[str, ...] = ()
    serial_cues_after: tuple[str, ...] = ()
    town_cues: tuple[str, ...] = ()
    town_cues_after: tuple[str, ...] = ()
    town_preps: tuple[str, ...] = ()
    town_suffixes: tuple[str, ...] = ()
    postcode_cues: tuple[str, ...] = ()
    street_before: tuple[str, ...] = ()
    street_after: tuple[str, ...] = ()
    street_fused: tuple[str, ...] = ()


def _load_language(code: str) -> LanguageData:
    raw = json.loads((_DATA / "lang" / f"{code}.json").read_text("utf-8"))
    known = {f.name for f in fields(LanguageData)}
    unknown = set(raw) - known
    if unknown:
        # A typo in a cue table would silently disable detection; fail at import instead.
        raise ValueError(f"unknown keys in data/lang/{code}.json: {sorted(unknown)}")
    values: dict[str, object] = {}
    for key, value in raw.items():
        if key == "months":
            values[key] = tuple(tuple(forms) for forms in value)
        elif isinstance(value, list):
            values[key] = tuple(value)
        else:
            values[key] = value
    data = LanguageData(**values)  # type: ignore[arg-type]
    if len(data.months) != 12:
        raise ValueError(f"data/lang/{code}.json must list 12 months")
    return data


def _read_words(path: str) -> frozenset[str]:
    text = (_DATA / path).read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


LANGUAGE_DATA: Final[Mapping[str, LanguageData]] = MappingProxyType(
    {code: _load_language(code) for code in LANGUAGES}
)

FIRST_NAMES: Final = frozenset().union(*(_read_words(f"names/{c}.first.txt") for c in LANGUAGES))
LAST_NAMES: Final = frozenset().union(*(_read_words(f"names/{c}.last.txt") for c in LANGUAGES))
EPONYMS: Final = _read_words("eponyms.txt")
NOT_NAMES: Final = _read_words("not_names.txt")
DISEASE_WORDS: Final = frozenset(w.lower() for w in _read_words("disease_words.txt"))


def normalise_language(tag: str) -> str:
    """Map a BCP 47 tag ("de-AT", "nb-NO", "no") to a profile; unknown tags get all tables."""
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    primary = _ALIASES.get(primary, primary)
    return primary if primary in LANGUAGE_DATA else ALL


def profile_languages(profile: str) -> tuple[str, ...]:
    """The tables a profile uses: its own plus English, which physicians everywhere mix in."""
    if profile == ALL:
        return LANGUAGES
    return (profile,) if profile == "en" else (profile, "en")


def merged(profile: str, field: str) -> tuple[str, ...]:
    """One cue list for a profile, de-duplicated, in a stable order."""
    seen: dict[str, None] = {}
    for code in profile_languages(profile):
        for word in getattr(LANGUAGE_DATA[code], field):
            seen.setdefault(word, None)
    return tuple(seen)


def cue_alternation(
    words: Iterable[str], *, optional_dot: bool = False, case_sensitive: bool = False
) -> str:
    """A regex alternation for cue words.

    Abbreviations written in capitals ("MRN", "BSN") match case-sensitively, since
    their lower-case forms are often ordinary words ("fin", "cap"); other cues match
    in any case (unless ``case_sensitive``: titles are written capitalised, and
    "me" or "don" in lower case are ordinary words). Longest first, so "NHS number"
    wins over "NHS". Spaces match any run of whitespace, so a line break inside a cue
    still counts.
    """
    parts: list[str] = []
    for word in sorted(set(words), key=len, reverse=True):
        body = r"\s+".join(re.escape(part) for part in word.split())
        if word[-1].isalnum():
            body += r"\.?" if optional_dot else ""
            body += r"(?!\w)"
        folds = not case_sensitive and any(ch.islower() for ch in word)
        parts.append(f"(?i:{body})" if folds else body)
    if not parts:
        return "(?!x)x"
    return r"(?<!\w)(?:" + "|".join(parts) + ")"


NOT_TOWNS: Final = frozenset(w.lower() for w in _read_words("not_towns.txt"))
# GeoNames towns (see data/towns.txt for the licence); read once, ~70,000 names.
TOWN_NAMES: Final = _read_words("towns.txt")

# Upper-case letters of the network's Latin and Greek alphabets, for regexes that need
# "a capitalised word" (Python's re has no \p{Lu}).
UPPER: Final = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚĞĪİŁŃŇŐŒŘŚŞŠŢŤŪŮŰŸŹŻŽΆΈΉΊΌΎΏΑ-ΡΣ-Ϋ"
# A capitalised word, allowing inner hyphens and apostrophes ("Saint-Étienne", "O'Neill").
CAPWORD: Final = rf"[{UPPER}][^\W\d_]*(?:['’-][^\W\d_]+)*"
HEBREW_WORD: Final = r"[\u05D0-\u05EA][\u05D0-\u05EA'\"׳״-]*"
