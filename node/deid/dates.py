"""Dates more specific than a year.

HIPAA Safe Harbor allows the year alone; day and month are identifying. We flag
numeric dates with a year (14/03/2024, 2024-03-14, 14.3.24), day-month dates with or
without a year in every network language ("14. März", "le 14 mars", "March 14th",
"2024. március 14."), and month-year ("March 2024", "marzo de 2024"). Not flagged: a
bare year, "in 2019", durations ("3 days", "day 14") and scores such as "14/15",
which have no year and no month name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from node.deid.finding import DATE, Candidate
from node.deid.lexicon import LANGUAGE_DATA, PROFILES, cue_alternation, merged, profile_languages
from node.deid.view import CueIndex, TextView

PRIORITY: Final = 60

_DAY: Final = r"(?:0?[1-9]|[12]\d|3[01])"
# Ordinal marks: 1st, 1er, 1º, 14., Hungarian case endings (14-én), Greek 14η.
_ORD: Final = r"(?:st|nd|rd|th|ème|er|re|e|º|°|ª|\.|-?(?:én|án|ig|je|ji|i|e|a)|ης|η)?"
_YEAR: Final = r"(?:1[89]\d\d|20\d\d|'\d\d)"
_ROMAN: Final = r"(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"

_NUMERIC: Final = re.compile(
    r"(?<![\w/.,:])(?<!\d-)(?:"
    # 2024-03-14, 2024/03/14, 2024.03.14., 2024. 03. 14.
    r"(?:19|20)\d\d(?:[-/]|\.\s?)(?:0?[1-9]|1[0-2])(?:[-/]|\.\s?)" + _DAY + r"\.?"
    # 14/03/2024, 03/14/2024, 14.3.24, 14-03-2024, Danish 3/3-2024: validated below
    r"|(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?:(?P=sep)|(?<=/\d)-|(?<=/\d\d)-)"
    r"(?P<y>(?:19|20)?\d\d)"
    # 14. III. 2024 (Roman month, Polish and Hungarian usage)
    r"|" + _DAY + r"\.?\s?" + _ROMAN + r"\.?\s?(?:19|20)\d\d"
    # 03/2024: month and year
    r"|(?:0[1-9]|1[0-2])/(?:19|20)\d\d"
    # 14/02, 03.11.: day and month alone, only with a zero-padded part, since "3/4 of
    # the cohort" and "GCS 14/15" look the same otherwise
    r"|(?P<c>(?:0[1-9]|[12]\d|3[01]))(?P<sep2>[./])(?P<d>0[1-9]|1[0-2])(?P=sep2)?(?![.,]?\d)"
    r"|(?P<e>0[1-9])(?P<sep3>[./])(?P<f>0[1-9]|[12]\d|3[01])(?P=sep3)?(?![.,]?\d)"
    # 14/2, 25/12: a day of 13 or more cannot be a month, and fractions and scores put
    # the smaller number first (3/4, 8/9), so this order reads as a date
    r"|(?P<g>1[3-9]|2\d|3[01])/(?P<h>[1-9]|1[0-2])(?![.,]?\d|/)"
    # Hungarian case endings on the day: 2024. 03. 03-án
    r")(?:-?(?:án|én|ig|ai|ei|i|a|e)(?!\w))?(?![\w/]|[.,:-]\d)"
)

# "am 14.3.", "on 3/14": day and month without a year only after a date preposition,
# because "14.3" alone is as likely a lab value.
_SHORT_CUES: Final = (
    "am",
    "vom",
    "bis zum",
    "seit dem",
    "ab dem",
    "zum",
    "on",
    "since",
    "le",
    "el",
    "il",
    "den",
    "dne",
)
_SHORT_CUED: Final = CueIndex(
    _SHORT_CUES,
    re.compile(
        r"(?<!\w)(?i:am|vom|bis\s+zum|seit\s+dem|ab\s+dem|zum|on|since|le|el|il|den|dne)\s+"
        r"(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})\.?(?![\w/]|[.,]\d)"
    ),
)


@dataclass(frozen=True, slots=True)
class _Months:
    """Month forms of a profile. English forms count only capitalised, because "may",
    "march" and "august" are ordinary words in lower case."""

    exact: frozenset[str]
    folded: frozenset[str]
    lowered: frozenset[str]  # every form in lower case, to intersect with a text's words

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self.exact or word.lower() in self.folded)


def _months(profile: str) -> _Months:
    exact: set[str] = set()
    folded: set[str] = set()
    for code in profile_languages(profile):
        data = LANGUAGE_DATA[code]
        forms = {form for month in data.months for form in month}
        if code == "he":
            # Hebrew attaches prepositions to the month: "במרץ", "למרץ".
            forms |= {prefix + form for form in forms for prefix in ("ב", "ל", "מ", "ה")}
        if data.months_case_sensitive:
            exact |= forms
        else:
            folded |= {form.lower() for form in forms}
    return _Months(
        frozenset(exact), frozenset(folded), frozenset(folded | {e.lower() for e in exact})
    )


_MONTHS: Final[Mapping[str, _Months]] = MappingProxyType({p: _months(p) for p in PROFILES})


def _month(group: str) -> str:
    # Any word here; the caller checks it is the month word the scan found, which is
    # much faster than a regex alternation of a few hundred month forms.
    return rf"(?P<{group}>[^\W\d_]+)\.?"


_DAY_AT: Final = r"(?<![\w.,/])(?<!\d-)" + _DAY + _ORD
_TAIL_YEAR: Final = r"(?:\s*,?\s*(?:de\s+|del\s+|of\s+)?" + _YEAR + r"(?:\s*r\.)?)?"
_TEXTUAL: Final = re.compile(
    r"(?:"
    # 14 March 2024, 14. März, 14 de marzo de 2024, 14th of March, 14 Μαρτίου, 14 במרץ
    + _DAY_AT
    + r"(?:\s*|-)(?:de\s+|of\s+|di\s+|του\s+)?"
    + _month("m1")
    # 3-Mar-2024 keeps its hyphens
    + r"(?:-"
    + _YEAR
    + r"|"
    + _TAIL_YEAR
    + r")"
    # March 14th, 2024 / március 14-én
    + r"|"
    + _month("m2")
    + r"\s+"
    + _DAY
    + _ORD
    + r"(?!\d)(?:\s*,?\s*"
    + _YEAR
    + r")?"
    # 2024. március 14. (Hungarian order) and 2024. március
    + r"|(?<![\w.])(?:19|20)\d\d\.?\s+"
    + _month("m3")
    + r"(?:\s+"
    + _DAY
    + _ORD
    + r"(?!\d))?"
    # March 2024, marzo de 2024, tammikuussa 2024
    + r"|"
    + _month("m4")
    + r"\s*,?\s*(?:de\s+|del\s+|of\s+)?"
    + _YEAR
    + r")(?!\w)"
)


def _holiday_patterns(profile: str) -> tuple[CueIndex, re.Pattern[str]]:
    """Holidays pin a day: "Easter Sunday 2024", "2. Weihnachtsfeiertag 2023",
    "Semana Santa de 2024", "2024 húsvétja". Only with a year, since "over
    Christmas" alone is as vague as a season."""
    holidays = merged(profile, "holidays")
    alternation = cue_alternation(holidays)
    forward = re.compile(
        r"(?:(?<![\w.])\d{1,2}\.\s*)?"
        + alternation
        + r"(?:\s+(?i:of|de|del|di|du|von|van|του))?\s*,?\s*"
        + _YEAR
        + r"(?!\w)"
    )
    backward = re.compile(r"(?<![\w.])(?:19|20)\d\d\.?\s+" + alternation)
    return CueIndex(holidays, forward), backward


_HOLIDAYS: Final = MappingProxyType({p: _holiday_patterns(p) for p in PROFILES})
_MONTH_GROUPS: Final = ("m1", "m2", "m3", "m4")
# How far a textual date reaches on either side of its month word ("14th of", ", 2024 r.").
_REACH: Final = 16


def _maybe_numeric_date(value: str) -> bool:
    """Cheap pre-check on a digit group: two separators (14/03/2024, 2024-03-14),
    month/year (03/2024), or a year that may open or close a spaced or Roman-month
    date (2024. 03. 14., 14. III. 2024)."""
    seps = sum(value.count(c) for c in "./-")
    if seps >= 2:
        return True
    if seps == 1 and len(value) == 5 and value[2] in "./" and "0" in (value[0], value[3]):
        return True  # 14/02, 03.11
    if seps == 1 and "/" in value and len(value) in (4, 5) and value.index("/") == 2:
        return True  # 14/2, 25/12
    if len(value) == 4:
        return value[:2] in ("19", "20")
    return seps == 1 and len(value) == 7 and value[2] == "/"


_CLOCK_CUES: Final = ("kl", "kl.", "klo", "kello", "klockan", "klokken", "um", "at", "o godz.")


def _is_clock_time(text: str, match: re.Match[str]) -> bool:
    """ "kl. 02.15", "klo 2.15": Nordic and Finnish times use a dot, like dates."""
    if match.group("c") is None and match.group("e") is None:
        return False
    before = text[max(0, match.start() - 10) : match.start()].rstrip().lower()
    after = text[match.end() : match.end() + 4].lower()
    return before.endswith(_CLOCK_CUES) or after.startswith((" uhr", " h ", " h,", " h."))


def _day_month_ok(a: str | None, b: str | None, year: str = "", sep: str = "") -> bool:
    if a is None or b is None:
        return True
    x, y = int(a), int(b)
    if len(year) == 2 and len(a) == 1 and len(b) == 1 and sep == "/":
        return False  # "Apgar 8/9/10" is a score; "3.3.24" is a date
    # Either order may be the day: 14/03 (Europe) or 03/14 (US).
    return (1 <= x <= 31 and 1 <= y <= 12) or (1 <= y <= 31 and 1 <= x <= 12)


def detect(view: TextView, profile: str) -> Iterator[Candidate]:
    text = view.text
    numeric = [n for n in view.numbers if _maybe_numeric_date(n[2])]
    for match in view.near(_NUMERIC, numeric, before=10, after=10):
        if _is_clock_time(view.text, match):
            continue
        groups = match.group("a", "b", "y", "sep")
        if _day_month_ok(groups[0], groups[1], groups[2] or "", groups[3] or ""):
            yield Candidate(match.start(), match.end(), DATE, PRIORITY)
    for match in _SHORT_CUED.matches(view):
        if _day_month_ok(match.group("a"), match.group("b")):
            yield Candidate(match.start("a"), match.end(), DATE, PRIORITY)
    forward, backward = _HOLIDAYS[profile]
    for match in forward.matches(view):
        yield Candidate(match.start(), match.end(), DATE, PRIORITY)
    years = [n for n in view.numbers if len(n[2]) == 4 and n[2][:2] in ("19", "20")]
    for match in view.near(backward, years, before=0, after=40):
        yield Candidate(match.start(), match.end(), DATE, PRIORITY)
    # Textual dates: month words are found with a set look-up, then the date pattern is
    # tried only at token starts just before each.
    months = _MONTHS[profile]
    # A set intersection with the text's words finds month words without a Python-level
    # test per word; English forms must then also match in case ("May", not "may").
    for lowered in view.by_word.keys() & months.lowered:
        for start in view.by_word[lowered]:
            end = start + len(lowered)
            if text[start:end] not in months:
                continue
            best = _date_around(text, start, end)
            if best is not None:
                yield Candidate(best[0], best[1], DATE, PRIORITY)


def _date_around(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The longest date whose month is text[start:end], trying each token start nearby."""
    hi = min(len(text), end + _REACH + 4)
    best: tuple[int, int] | None = None
    for pos in range(max(0, start - _REACH), start + 1):
        if not text[pos].isalnum() or (pos > 0 and text[pos - 1].isalnum()):
            continue
        match = _TEXTUAL.match(text, pos, hi)
        if match is None:
            continue
        group = next(g for g in _MONTH_GROUPS if match.group(g) is not None)
        if match.span(group) != (start, end):
            continue
        if best is None or match.end() - match.start() > best[1] - best[0]:
            best = match.span()
    return best
