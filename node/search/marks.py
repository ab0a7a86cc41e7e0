"""Highlighted excerpts: the databases mark matched words, we split them into segments.

Both databases build excerpts with start and end markers of our choosing around the
matched words. We use two private-use characters that clinical text never holds, and
split on them into plain segments; templates escape each segment and wrap matched
ones in ``<mark>``, so a case's text can never inject markup through an excerpt.
"""

from __future__ import annotations

from dataclasses import dataclass

START = "\ue000"
END = "\ue001"
ELLIPSIS = "…"


@dataclass(frozen=True)
class CaseExcerpt:
    """Marked text of a case: its title, and a passage of its question or history.

    ``title`` is None when the case's own text did not match (a reply did)."""

    title: str | None
    passage: str | None


@dataclass(frozen=True)
class ReplyExcerpt:
    reply_id: int
    case_id: int
    passage: str


def segments(marked: str) -> list[tuple[str, bool]]:
    """``"a \ue000b\ue001 c"`` -> ``[("a ", False), ("b", True), (" c", False)]``."""
    out: list[tuple[str, bool]] = []
    matched = False
    buffer: list[str] = []
    for char in marked:
        if char in (START, END):
            if buffer:
                out.append(("".join(buffer), matched))
                buffer = []
            matched = char == START
        else:
            buffer.append(char)
    if buffer:
        out.append(("".join(buffer), matched))
    return out


def has_match(marked: str | None) -> bool:
    return marked is not None and START in marked


def opening(text: str, words: int = 30) -> str:
    """The first ``words`` words of an unmatched text, as a plain excerpt."""
    parts = text.split()
    return " ".join(parts[:words]) + (f" {ELLIPSIS}" if len(parts) > words else "")
