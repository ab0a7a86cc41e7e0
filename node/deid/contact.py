"""Ways to reach a person: e-mail, URL, IP address and telephone/fax numbers."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

from node.deid.finding import EMAIL, IP_ADDRESS, PHONE, URL, Candidate
from node.deid.lexicon import PROFILES, cue_alternation, merged
from node.deid.view import CueIndex, TextView, digit_count

PRIORITY_EXACT: Final = 100  # e-mail, URL, IP: unambiguous shapes
PRIORITY_PHONE_CUE: Final = 96  # "Tel. 943 476 5919" is a phone even if it passes a checksum
PRIORITY_PHONE: Final = 70

# No leading boundary: the start is found by walking back from "@" (see _back_over).
_EMAIL: Final = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[^\W\d_]{2,24}")
_URL: Final = re.compile(r"(?<![\w@/])(?:https?://|ftp://|www\.)[^\s<>\"'\[\]{}]+", re.IGNORECASE)
# Bare domains ("klinik-nord.de/team") only for country and common generic TLDs, so
# abbreviations such as "z.B." or "i.v." are never taken for one.
_DOMAIN: Final = re.compile(
    r"(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|org|net|edu|gov|de|fr|es|it|nl|dk|se|no|fi|il|pl|gr|hu|uk|eu|ch|at|be|io|info)"
    r"(?:/[^\s<>\"']*)?(?![\w])",
    re.IGNORECASE,
)
_TLD: Final = re.compile(
    r"\.(?:com|org|net|edu|gov|de|fr|es|it|nl|dk|se|no|fi|il|pl|gr|hu|uk|eu|ch|at|be|io|info)(?!\w)",
    re.IGNORECASE,
)
_AT: Final = re.compile("@")
_URL_START: Final = re.compile(r"(?i:https?:|www\.|ftp:)")
_LOCAL_CHARS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-"
)
_DOMAIN_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_V6_HINT: Final = re.compile(r":[0-9A-Fa-f]{0,4}:")
_TRAILING: Final = ".,;:!?)]'\""
_IPV4: Final = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
_IPV6: Final = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")

_PHONE_INTL: Final = re.compile(
    r"(?<![\w+])\+\d{1,3}[\s./-]?(?:\(0\)[\s./-]?)?\d[\d\s./()-]{5,20}\d"
)
_PHONE_US: Final = re.compile(r"(?<![\w-])(?:\(\d{3}\)\s?|\d{3}[-.])\d{3}[-.]\d{4}(?![\w-])")
_PHONE_TRUNK: Final = re.compile(
    r"(?<![\w+/.,:])(?<!\d-)"
    r"(?:0\d{1,4}(?:[ /-]\d{2,8}){1,4}|0\d{9,10}|0\d(?:\.\d\d){4})"
    r"(?![\w/:-]|[.,]\d)"
)
# Mobile numbers written without a trunk prefix, by language: Spanish 6xx xxx xxx,
# Italian 3xx xxx xxxx, Polish and Greek mobiles in groups of three.
_NATIONAL_MOBILE: Final = MappingProxyType(
    {
        "es": re.compile(r"(?<![\w+-])[6789](?: ?\d){8}(?![\w-])"),
        "it": re.compile(r"(?<![\w+-])3\d{2}[ .]?\d{3}[ .]?\d{3,4}(?![\w-])"),
        "pl": re.compile(r"(?<![\w+-])[4-8]\d{2} \d{3} \d{3}(?![\w-])"),
        "el": re.compile(r"(?<![\w+-])69\d ?\d{3} ?\d{4}(?![\w-])"),
    }
)
_PHONE_BODY: Final = r"(\(?\+?\d[\d ()./-]{4,20}\d)"


def _phone_cue_patterns() -> Mapping[str, CueIndex]:
    return MappingProxyType(
        {
            p: CueIndex(
                merged(p, "phone_cues"),
                re.compile(
                    cue_alternation(merged(p, "phone_cues"))
                    + r"\s*(?:n[°ºo]\.?|nr\.?)?\s*[:.]?\s*"
                    + _PHONE_BODY
                ),
            )
            for p in PROFILES
        }
    )


_PHONE_CUED: Final = _phone_cue_patterns()


def _back_over(text: str, pos: int, allowed: frozenset[str]) -> int:
    """Walk left from ``pos`` over ``allowed`` characters: where an address starts.
    Cheaper than letting a pattern with a long leading class try every offset."""
    limit = max(0, pos - 253)
    while pos > limit and text[pos - 1] in allowed:
        pos -= 1
    # An address cannot start with a dot or hyphen: "ל-d.levi@..." starts at "d".
    while text[pos : pos + 1] in ("-", "."):
        pos += 1
    return pos


def _strip_trailing(start: int, value: str) -> tuple[int, int]:
    trimmed = value.rstrip(_TRAILING)
    # Keep a closing parenthesis that closes one opened inside the URL (Wikipedia style).
    if value[len(trimmed) : len(trimmed) + 1] == ")" and trimmed.count("(") > trimmed.count(")"):
        trimmed += ")"
    return start, start + len(trimmed)


def detect(view: TextView, profile: str) -> Iterator[Candidate]:
    text = view.text
    for at in view.occurrences(_AT):
        match = _EMAIL.match(text, _back_over(text, at[0], _LOCAL_CHARS))
        if match is not None:
            yield Candidate(match.start(), match.end(), EMAIL, PRIORITY_EXACT)
    url_anchors = view.occurrences(_URL_START)
    for start, _, _ in url_anchors:
        match = _URL.match(text, start)
        if match is not None:
            start, end = _strip_trailing(match.start(), match.group())
            yield Candidate(start, end, URL, PRIORITY_EXACT)
    for tld in _TLD.finditer(text):
        match = _DOMAIN.match(text, _back_over(text, tld.start(), _DOMAIN_CHARS))
        if match is not None:
            start, end = _strip_trailing(match.start(), match.group())
            yield Candidate(start, end, URL, PRIORITY_EXACT)
    dotted = [n for n in view.numbers if n[2].count(".") >= 3]
    for match in view.near(_IPV4, dotted, before=0, after=0):
        try:
            ipaddress.IPv4Address(match.group())
        except ValueError:
            continue  # "300.1.2.3" or a version string: not an address
        yield Candidate(match.start(), match.end(), IP_ADDRESS, PRIORITY_EXACT)
    v6 = [(m.start(), m.end(), m.group()) for m in _V6_HINT.finditer(text)]
    for match in view.near(_IPV6, v6, before=40, after=40):
        value = match.group()
        if value.count(":") < 2 or not any(ch.isalnum() for ch in value):
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue  # times such as 12:30:45 fail here
        yield Candidate(match.start(), match.end(), IP_ADDRESS, PRIORITY_EXACT)
    yield from _phones(view, profile)


def _phones(view: TextView, profile: str) -> Iterator[Candidate]:
    for match in _PHONE_CUED[profile].matches(view):
        value = match.group(1).rstrip(" ./-")
        if 6 <= digit_count(value) <= 15:
            start = match.start(1)
            yield Candidate(start, start + len(value), PHONE, PRIORITY_PHONE_CUE)
    long_numbers = view.numbers_with(6)
    for match in view.near(_PHONE_INTL, long_numbers, before=8, after=12):
        value = match.group().rstrip(" ./-(")
        if 8 <= digit_count(value) <= 15:
            yield Candidate(match.start(), match.start() + len(value), PHONE, PRIORITY_PHONE)
    for match in view.near(_PHONE_US, long_numbers, before=8, after=1):
        yield Candidate(match.start(), match.end(), PHONE, PRIORITY_PHONE)
    for lang, pattern in _NATIONAL_MOBILE.items():
        if profile in (lang, "*"):
            for match in view.near(pattern, long_numbers, before=1, after=1):
                yield Candidate(match.start(), match.end(), PHONE, PRIORITY_PHONE)
    for match in view.near(_PHONE_TRUNK, long_numbers, before=1, after=1):
        if 9 <= digit_count(match.group()) <= 12:
            yield Candidate(match.start(), match.end(), PHONE, PRIORITY_PHONE)
