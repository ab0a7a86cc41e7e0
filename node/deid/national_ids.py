"""National identifiers: US SSN, French NIR, German KVNR, UK NHS number, Danish CPR,
Swedish personnummer, Norwegian fødselsnummer, Finnish HETU, Dutch BSN, Italian codice
fiscale, Spanish DNI/NIE, Polish PESEL, Israeli Teudat Zehut, Greek AMKA, Hungarian TAJ.

Two routes to a finding:
- a shape with a valid check digit (``checksums``). Shapes that are a bare run of
  9-11 digits are ambiguous between countries and with other numbers, so they count
  only in the language whose identifier they are (or after a cue);
- a cue word ("BSN", "n° de sécurité sociale", "ת.ז.") followed by an identifier-shaped
  token, even with a wrong check digit: a mistyped number is still the patient's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from node.deid import checksums
from node.deid.finding import NATIONAL_ID, Candidate
from node.deid.lexicon import ALL, PROFILES, cue_alternation, merged
from node.deid.view import CueIndex, Piece, TextView, digit_count

PRIORITY_CHECKSUM: Final = 85
PRIORITY_CUE: Final = 95

Validator = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class _Shape:
    pattern: re.Pattern[str]
    # (validator, languages where the bare shape counts; None means every language)
    checks: tuple[tuple[Validator, frozenset[str] | None], ...]
    # Separators removed before validation; HETU keeps its century sign.
    strip: re.Pattern[str] = re.compile(r"[\s.\-/+]")


_ANY: Final = None

_SHAPES: Final = (
    _Shape(re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"), ((checksums.us_ssn, _ANY),)),
    _Shape(
        re.compile(
            r"(?<![\w])[1278] ?\d{2} ?\d{2} ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}(?![\w])"
        ),
        ((checksums.french_nir, _ANY),),
    ),
    _Shape(re.compile(r"(?<![\w])[A-Z]\d{9}(?![\w])"), ((checksums.german_kvnr, _ANY),)),
    _Shape(
        re.compile(r"(?<![\w-])\d{3} ?\d{3} ?\d{4}(?![\w-])"),
        ((checksums.uk_nhs, frozenset({"en"})),),
    ),
    _Shape(
        re.compile(r"(?<![\w-])\d{6}-\d{4}(?![\w-])"),
        ((checksums.danish_cpr, _ANY), (checksums.swedish_personnummer, _ANY)),
    ),
    _Shape(
        re.compile(r"(?<![\w-])(?:19|20)\d{6}[-+]\d{4}(?![\w-])"),
        ((checksums.swedish_personnummer, _ANY),),
    ),
    _Shape(
        re.compile(r"(?<![\w-])(?:19|20)?\d{6}\+?\d{4}(?![\w-])"),
        ((checksums.swedish_personnummer, frozenset({"sv"})),),
    ),
    _Shape(
        re.compile(r"(?<![\w-])\d{6} ?\d{5}(?![\w-])"),
        (
            (checksums.norwegian_fnr, frozenset({"nb", "da", "sv"})),
            (checksums.polish_pesel, frozenset({"pl"})),
            (checksums.greek_amka, frozenset({"el"})),
        ),
    ),
    _Shape(
        re.compile(r"(?<![\w-])\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?![\w-])"),
        ((checksums.finnish_hetu, _ANY),),
        re.compile(r"(?!x)x"),
    ),
    _Shape(
        re.compile(
            r"(?<![\w.,-])(?:\d{9}|\d{3}[ -]\d{3}[ -]\d{3}|\d{4}\.\d{2}\.\d{3})(?![\w,-]|\.\d)"
        ),
        (
            (checksums.dutch_bsn, frozenset({"nl"})),
            (checksums.israeli_id, frozenset({"he"})),
            (checksums.hungarian_taj, frozenset({"hu"})),
        ),
    ),
    _Shape(
        re.compile(
            r"(?<![\w])[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z]"
            r"[0-9LMNPQRSTUV]{3}[A-Z](?![\w])",
            re.IGNORECASE,
        ),
        ((checksums.italian_codice_fiscale, _ANY),),
    ),
    _Shape(
        re.compile(r"(?<![\w])(?:\d{8}|[XYZ]-?\d{7})-?[A-Z](?![\w])"),
        ((checksums.spanish_dni, _ANY),),
    ),
)

# An identifier-shaped token after a cue: optional letters, then digit groups joined
# by single separators (so "123 456 789" is one token but "123 mg" stops at "mg").
_ID_SHAPE: Final = r"(?:[A-Z]{1,6})?\d[\dA-Z]*(?:[ .\-/]\d[\dA-Z]*)*"
_CUE_GLUE: Final = r"\s*(?:[:#]|n[°ºo]\.?|nr\.?|no\.?|number)?\s*[:#]?\s*"


def _cue_patterns() -> Mapping[str, CueIndex]:
    return MappingProxyType(
        {
            p: CueIndex(
                merged(p, "national_id_cues"),
                re.compile(
                    cue_alternation(merged(p, "national_id_cues")) + _CUE_GLUE + f"({_ID_SHAPE})"
                ),
            )
            for p in PROFILES
        }
    )


_CUED: Final = _cue_patterns()


def _counts_here(languages: frozenset[str] | None, profile: str) -> bool:
    return languages is None or profile == ALL or profile in languages


def _anchors(view: TextView) -> list[Piece]:
    """Digit groups long enough to be an identifier, and the six letters that open a
    codice fiscale (its digits come in short groups between letters)."""
    anchors = view.numbers_with(7)
    text = view.text
    for start, end, word in view.words:
        if len(word) >= 6 and word[:6].isupper() and text[start + 6 : start + 7].isdigit():
            anchors.append((start, end, word))
    return anchors


def detect(view: TextView, profile: str) -> Iterator[Candidate]:
    for match in _CUED[profile].matches(view):
        token = match.group(1)
        if digit_count(token) >= 5:
            yield Candidate(match.start(1), match.end(1), NATIONAL_ID, PRIORITY_CUE)
    anchors = _anchors(view)
    if not anchors:
        return
    for shape in _SHAPES:
        for match in view.near(shape.pattern, anchors, before=8, after=12):
            compact = shape.strip.sub("", match.group())
            for validator, languages in shape.checks:
                if _counts_here(languages, profile) and validator(compact):
                    yield Candidate(match.start(), match.end(), NATIONAL_ID, PRIORITY_CHECKSUM)
                    break
