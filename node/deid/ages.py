"""Ages over 89 ("92-year-old", "92 Jahre alt", "âgée de 93 ans", "בן 94").

Safe Harbor lets ages up to 89 stand and asks that older ages be folded into "90 or
older", so only an explicit age of 90-129 next to an age word is flagged; "in her
nineties" is already that aggregate and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

from node.deid.finding import AGE_OVER_89, Candidate
from node.deid.lexicon import PROFILES, merged, profile_languages
from node.deid.view import TextView

PRIORITY: Final = 55

_OLD: Final = r"(?<![\d.,/])(?:9\d|1[0-2]\d)(?![\d.,/]\d)"


def _pattern(profile: str) -> re.Pattern[str]:
    before = "|".join(merged(profile, "age_before_re"))
    after = "|".join(merged(profile, "age_after_re"))
    return re.compile(rf"(?:(?<!\w)(?i:{before}){_OLD}|{_OLD}(?i:{after}))")


_PATTERNS: Final[Mapping[str, re.Pattern[str]]] = MappingProxyType(
    {p: _pattern(p) for p in PROFILES}
)


# Substrings that every written-out age over 89 contains, per language: a cheap test
# before the word pattern runs (most cases contain none).
_WORD_STEMS: Final = MappingProxyType(
    {
        "en": ("ninety", "hundred"),
        "de": ("neunzig", "hundert"),
        "fr": ("quatre-vingt", "nonante", "cent"),
        "es": ("noventa", "cien"),
        "it": ("novant", "cento"),
        "nl": ("negentig", "honderd"),
        "da": ("halvfems", "hundrede"),
        "sv": ("nittio", "hundra"),
        "nb": ("nitti", "hundre"),
        "fi": ("yhdeksänkymmentä", "sata"),
        "pl": ("dziewięćdziesi", "sto"),
        "el": ("ενενήντα", "εκατό"),
        "hu": ("kilencven", "száz"),
        "he": ("תשעים", "מאה"),
    }
)


def _word_pattern(profile: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """Ages written out ("ninety-three years old", "dreiundneunzig Jahre",
    "âgée de quatre-vingt-treize ans") and the stems that make them worth trying."""
    words = merged(profile, "age_words_re")
    if not words:
        return None
    before = "|".join(merged(profile, "age_before_re"))
    after = "|".join(merged(profile, "age_after_re"))
    number = "(?:" + "|".join(words) + ")"
    pattern = re.compile(rf"(?i:(?<!\w)(?:(?:{before}){number}(?!\w)|{number}(?:{after})))")
    stems = sorted({s for code in profile_languages(profile) for s in _WORD_STEMS[code]})
    return pattern, re.compile("(?i:" + "|".join(re.escape(s) for s in stems) + ")")


_WORD_PATTERNS: Final = MappingProxyType({p: _word_pattern(p) for p in PROFILES})


def detect(view: TextView, profile: str) -> Iterator[Candidate]:
    # Three digits at most before int(): a run of 4,300 digits is too long to convert.
    old = [n for n in view.numbers if len(n[2]) <= 3 and n[2].isdigit() and 90 <= int(n[2]) <= 129]
    for match in view.near(_PATTERNS[profile], old, before=24, after=24):
        yield Candidate(match.start(), match.end(), AGE_OVER_89, PRIORITY)
    words = _WORD_PATTERNS[profile]
    if words is not None:
        pattern, stems = words
        # Written-out ages are rare: the pattern runs only around the number words.
        anchors = view.occurrences(stems)
        for match in view.near(pattern, anchors, before=40, after=60):
            yield Candidate(match.start(), match.end(), AGE_OVER_89, PRIORITY)
