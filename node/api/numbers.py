"""Whole numbers read from URLs and forms (ids, cursors, choices).

``str.isdigit()`` is not the test: it accepts "²" and "٣", which ``int()`` then
refuses or reads, and any length, while ``int()`` refuses 4,300 digits and more and
either database overflows past 2**63 - 1. Each was a 500.
"""

from __future__ import annotations

from aiohttp import web

from i18n.translate import gettext
from node.api.problems import not_found

# The largest id either database stores (PostgreSQL BIGINT, SQLite INTEGER).
MAX_STORED_INT = 2**63 - 1


def whole_number(text: str, maximum: int = MAX_STORED_INT) -> int | None:
    """``text`` as a whole number if it is written in ASCII digits and at most
    ``maximum``; None otherwise."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


def path_id(request: web.Request, name: str) -> int:
    """The id a route pattern such as ``{claim_id:\\d+}`` matched, or 404: the pattern
    lets through numbers no row can have."""
    value = whole_number(request.match_info[name])
    if value is None:
        raise not_found(gettext("No such resource."))
    return value
