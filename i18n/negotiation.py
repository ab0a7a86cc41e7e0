"""Which language to answer in: the member's setting, else Accept-Language, else the
node's default. Malformed or unknown Accept-Language values never raise."""

from __future__ import annotations

import re

from i18n.languages import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES

_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?\s*$"
)
# Norwegian is often sent as "no" or "nn"; Bokmål is what the UI is written in.
_ALIASES = {"no": "nb", "nn": "nb", "iw": "he"}
MAX_HEADER = 512  # longer headers are cut: nobody needs 50 language ranges


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags in order of preference (q=0 dropped, malformed ranges skipped)."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:MAX_HEADER].split(",")):
        match = _RANGE.match(part)
        if not match:
            continue
        tag, quality = match.group(1), match.group(2)
        try:
            weight = float(quality) if quality is not None else 1.0
        except ValueError:
            continue
        if not 0 < weight <= 1:
            continue
        ranked.append((-weight, index, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]


def choose_language(
    *, member_setting: str | None, accept_language: str | None, default: str = DEFAULT_LANGUAGE
) -> str:
    if member_setting in SUPPORTED_LANGUAGES:
        return member_setting  # type: ignore[return-value]
    for tag in parse_accept_language(accept_language):
        primary = tag.split("-")[0]
        primary = _ALIASES.get(primary, primary)
        if primary in SUPPORTED_LANGUAGES:
            return primary
    return default if default in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
