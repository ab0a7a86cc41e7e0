"""Record, account and health-plan numbers, and device/vehicle serials, found after a
cue word ("MRN", "Fallnummer", "n° de dossier", "NHC", "Seriennummer", "Kennzeichen").

Without a cue a number is just a number: "CRP 120" and "Fallnummer 120334" differ only
by the word in front. VINs are the exception: 17 characters with a check position are
distinctive enough on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

from node.deid.finding import RECORD_NUMBER, SERIAL_NUMBER, Candidate
from node.deid.lexicon import PROFILES, cue_alternation, merged
from node.deid.view import CueIndex, TextView, digit_count

PRIORITY_RECORD: Final = 90
PRIORITY_SERIAL: Final = 88

# Between the cue and the number: "no.", "n°", "nr.", "#", ":", "is", a Hebrew/Greek
# abbreviation mark... kept short so the cue must really introduce the number.
_GLUE: Final = (
    r"(?:\s*\((?:[^()\d]{1,20})\))?"
    r"\s*(?:(?i:n[°ºo]\.?|nr\.?|no\.?|num\.?|number|nummer|numéro|número|numero|is|:|#|-|=|\.)\s*){0,3}"
)
# Serials are often named before the device they belong to: "Seriennummer des
# Defibrillators (RRT204418S)", "rekisterinumero on ABC-123". Up to three words, then
# an optional parenthesis or colon, may separate cue and serial.
_SERIAL_GLUE: Final = _GLUE + r"(?:[^\W\d_]+\s+){0,3}?(?:[(:](?!\d\d\)))?\s*"
# Identifier tokens: groups of letters/digits joined by single separators.
_RECORD_SHAPE: Final = r"([A-ZΑ-Ω0-9](?:[A-ZΑ-Ω0-9]|[-/.](?=[A-ZΑ-Ω0-9])){2,24})"
_PLATE_SHAPE: Final = (
    # GS1 UDI: (01)00884838040108(21)A4573Z
    r"(\(\d{2}\)[\dA-Z]+(?:\(\d{2}\)[\dA-Z]+)*"
    # licence plates: "KA-MH 4471", "AB-123-CD", "ΙΚΑ 4471", "KR 4471C"
    r"|[A-ZÄÖÜÅÆØΑ-Ω0-9]{1,4}(?:[ -]?[A-ZÄÖÜÅÆØΑ-Ω0-9]{1,4}){1,3}"
    r"|[A-Z0-9](?:[A-Z0-9]|[-/.](?=[A-Z0-9])){3,24})"
)
_VIN: Final = re.compile(r"(?<![\w-])[A-HJ-NPR-Z0-9]{17}(?![\w-])")
_VIN_WEIGHTS: Final = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_VALUES: Final = MappingProxyType(
    {
        **{str(d): d for d in range(10)},
        **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
        **dict(zip("JKLMN", range(1, 6), strict=True)),
        "P": 7,
        "R": 9,
        **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
    }
)


def _compile(field: str, token: str, glue: str = _GLUE) -> Mapping[str, CueIndex]:
    return MappingProxyType(
        {
            p: CueIndex(
                merged(p, field), re.compile(cue_alternation(merged(p, field)) + glue + token)
            )
            for p in PROFILES
        }
    )


_RECORDS: Final = _compile("record_cues", _RECORD_SHAPE)
_SERIALS: Final = _compile("serial_cues", _PLATE_SHAPE, glue=_SERIAL_GLUE)


def _serials_after() -> Mapping[str, re.Pattern[str] | None]:
    """Hungarian names the plate first: "az ABC-123 rendszámú autó"."""
    out: dict[str, re.Pattern[str] | None] = {}
    for p in PROFILES:
        cues = merged(p, "serial_cues_after")
        out[p] = re.compile(_PLATE_SHAPE + r"\s+" + cue_alternation(cues)) if cues else None
    return MappingProxyType(out)


_SERIALS_AFTER: Final = _serials_after()
_SERIAL_AFTER_WORDS: Final = MappingProxyType(
    {p: frozenset(w.split()[0] for w in merged(p, "serial_cues_after")) for p in PROFILES}
)


def _vin_ok(vin: str) -> bool:
    """North-American VINs carry a check character in position 9; European ones may
    not, so a VIN with letters and digits but a wrong check still counts."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    has_mix = any(c.isdigit() for c in vin) and any(c.isalpha() for c in vin)
    return vin[8] == check or (has_mix and sum(c.isdigit() for c in vin) >= 5)


def detect(view: TextView, profile: str) -> Iterator[Candidate]:
    for match in _RECORDS[profile].matches(view):
        token = match.group(1)
        # At least three digits: "MRN 4471-223" yes, "record no. A" or "HC 12" no.
        if digit_count(token) >= 3 and len(token) >= 4:
            yield Candidate(match.start(1), match.end(1), RECORD_NUMBER, PRIORITY_RECORD)
    for match in _SERIALS[profile].matches(view):
        token = match.group(1).rstrip(" -")
        if digit_count(token) >= 1 and len(token) >= 4 and not token.isalpha():
            start = match.start(1)
            yield Candidate(start, start + len(token), SERIAL_NUMBER, PRIORITY_SERIAL)
    after = _SERIALS_AFTER[profile]
    if after is not None:
        words = _SERIAL_AFTER_WORDS[profile]
        anchors = [w for w in view.words if w[2] in words]
        for match in view.near(after, anchors, before=16, after=0):
            token = match.group(1)
            if digit_count(token) >= 1 and len(token) >= 4:
                yield Candidate(match.start(1), match.end(1), SERIAL_NUMBER, PRIORITY_SERIAL)
    vin_anchors = view.numbers_with(4)
    for match in view.near(_VIN, vin_anchors, before=16, after=16):
        if _vin_ok(match.group()):
            yield Candidate(match.start(), match.end(), SERIAL_NUMBER, PRIORITY_SERIAL)
