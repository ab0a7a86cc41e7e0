"""Text no database can store: refused where it enters (API bodies, forms, peers).

PostgreSQL refuses a NUL character in text, and no UTF-8 database can hold an
unpaired surrogate (JSON can spell one, "\\ud800").
"""

from __future__ import annotations

NUL = "\x00"


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None if it can."""
    if NUL in text:
        return "contains a NUL character"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains an unpaired surrogate, which is not valid Unicode"
    return None
