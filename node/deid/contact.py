"""Ways to reach a person: e-mail, URL, IP address and telephone/fax numbers."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

from node.deid.finding import EMAIL, IP_ADDRESS, PHONE, URL, Candidate
from node.deid.lexicon import PROFILES, cue_alternation, merged

PRIORITY_EXACT: Final = 100  # e-mail, URL, IP: unambiguous shapes
PRIORITY_PHONE_CUE: Final = 96  # "Tel. 943 476 5919" is a phone even if it passes a checksum
PRIORITY_PHONE: Final = 70

_EMAIL: Final = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[^\W\d_]{2,24}")
_URL: Final = re.compile(r"(?<![\w@/])(?:https?://|ftp://|www\.)[^\s<>\"'\[\]{}]+", re.IGNORECASE)
# Bare domains ("klinik-nord.de/team") only for country and common generic TLDs, so
# abbreviations such as "z.B." or "i.v." are never taken for one.
_DOMAIN: Final = re.compile(
    r"(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|org|net|edu|gov|de|fr|es|it|nl|dk|se|no|fi|il|pl|gr|hu|uk|eu|ch|at|be|io|info)"
    r"(?:/[^\s<>\"']*)?(?![\w])",
    re.IGNORECASE,
)
_TRAILING: Final = ".,;:!?)]'\""
_IPV4: Final = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
_IPV6: Final = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")

_PHONE_INTL: Final = re.compile(r"(?<![\w+])\+\d{1,3}[\s./-]?(?:\(0\)[\s./-]?)?\d[\d\s./()-]{5,20}\d")
_PHONE_US: Final = re.compile(r"(?<![\w-])(?:\(\d{3}\)\s?|\d{3}[-.])\d{3}[-.]\d{4}(?![\w-])")
_PHONE_TRUNK: Final = re.compile(
    r"(?<![\w+/.,:-])(?:0\d{1,4}(?:[ /-]\d{2,8}){1,4}|0\d{9,10}|0\d(?:\.\d\d){4})(?![\w/:-]|[.,]\d)"
)
_PHONE_BODY: Final = r"(\(?\+?\d[\d ()./-]{4,20}\d)"


def _phone_cue_patterns() -> Mapping[str, re.Pattern[str]]:
    return MappingProxyType(
        {
            p: re.compile(
                cue_alternation(merged(p, "phone_cues"))
                + r"\s*(?:n[°ºo]\.?|nr\.?)?\s*[:.]?\s*"
                + _PHONE_BODY
            )
            for p in PROFILES
        }
    )


_PHONE_CUED: Final = _phone_cue_patterns()


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _strip_trailing(start: int, value: str) -> tuple[int, int]:
    trimmed = value.rstrip(_TRAILING)
    # Keep a closing parenthesis that closes one opened inside the URL (Wikipedia style).
    if value[len(trimmed) : len(trimmed) + 1] == ")" and trimmed.count("(") > trimmed.count(")"):
        trimmed += ")"
    return start, start + len(trimmed)


def detect(text: str, profile: str) -> Iterator[Candidate]:
    for match in _EMAIL.finditer(text):
        yield Candidate(match.start(), match.end(), EMAIL, PRIORITY_EXACT)
    for pattern in (_URL, _DOMAIN):
        for match in pattern.finditer(text):
            start, end = _strip_trailing(match.start(), match.group())
            yield Candidate(start, end, URL, PRIORITY_EXACT)
    for match in _IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(match.group())
        except ValueError:
            continue  # "300.1.2.3" or a version string: not an address
        yield Candidate(match.start(), match.end(), IP_ADDRESS, PRIORITY_EXACT)
    for match in _IPV6.finditer(text):
        value = match.group()
        if value.count(":") < 2 or not any(ch.isalnum() for ch in value):
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue  # times such as 12:30:45 fail here
        yield Candidate(match.start(), match.end(), IP_ADDRESS, PRIORITY_EXACT)
    yield from _phones(text, profile)


def _phones(text: str, profile: str) -> Iterator[Candidate]:
    for match in _PHONE_CUED[profile].finditer(text):
        value = match.group(1).rstrip(" ./-")
        if 6 <= _digits(value) <= 15:
            start = match.start(1)
            yield Candidate(start, start + len(value), PHONE, PRIORITY_PHONE_CUE)
    for match in _PHONE_INTL.finditer(text):
        value = match.group().rstrip(" ./-(")
        if 8 <= _digits(value) <= 15:
            yield Candidate(match.start(), match.start() + len(value), PHONE, PRIORITY_PHONE)
    for match in _PHONE_US.finditer(text):
        yield Candidate(match.start(), match.end(), PHONE, PRIORITY_PHONE)
    for match in _PHONE_TRUNK.finditer(text):
        if 9 <= _digits(match.group()) <= 12:
            yield Candidate(match.start(), match.end(), PHONE, PRIORITY_PHONE)
