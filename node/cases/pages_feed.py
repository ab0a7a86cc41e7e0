"""The home feed: the network's cases, open ones first, each newest first, filtered
with a plain GET form and paged with ``before`` (works without JavaScript)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.languages import SUPPORTED_LANGUAGES
from i18n.regions import country_name
from i18n.specialties import is_specialty
from i18n.translate import current_language, gettext
from node.cases.pages_vocabulary import language_choices, specialty_choices, vocabulary
from node.cases.schemas import CaseQuery
from node.cases.service import list_cases
from node.members.models import Member
from node.peers.models import Peer
from node.state import node_state
from node.web.templating import render

FEED_SIZE = 20
SEARCH_MAX = 200
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# A case id (newest-first pages) or a search position ("~40", node/search/query.py).
_CURSOR = re.compile(r"^(?:[a-z2-7]{1,32}|~[0-9]{1,6})$")


def _valid(name: str, value: str) -> bool:
    checks = {
        "q": lambda v: len(v) <= SEARCH_MAX,
        "specialty": is_specialty,
        "status": lambda v: v in ("open", "resolved"),
        "language": lambda v: v in SUPPORTED_LANGUAGES,
        "country": lambda v: bool(_COUNTRY.match(v)),
        "before": lambda v: bool(_CURSOR.match(v)),
    }
    return checks[name](value)


def read_filters(query: Mapping[str, str]) -> tuple[dict[str, str], bool]:
    """The filters as given, minus any this page cannot use (and whether there were any:
    a tampered or outdated link shows every case with a note, not an error)."""
    filters: dict[str, str] = {}
    ignored = False
    for name in ("q", "specialty", "status", "language", "country", "before"):
        value = query.get(name, "").strip()
        if not value:
            continue
        if _valid(name, value):
            filters[name] = value
        else:
            ignored = True
    return filters, ignored


async def network_countries(session: AsyncSession, own_country: str) -> list[tuple[str, str]]:
    """This node's country and its peers', named in the reader's language."""
    peers = (await session.scalars(select(Peer.country).where(Peer.country.is_not(None)))).all()
    codes = {own_country, *(code for code in peers if code)}
    language = current_language()
    named = [(code, country_name(code, language)) for code in codes]
    return sorted(named, key=lambda item: item[1].casefold())


async def case_feed(request: web.Request, member: Member) -> web.Response:
    state = node_state(request)
    filters, ignored = read_filters(request.query)
    query = CaseQuery(
        limit=FEED_SIZE,
        # With a status filter there is nothing to put first.
        open_first="status" not in filters,
        **filters,  # type: ignore[arg-type]  # names and values checked by read_filters
    )
    # With q it is a full-text search: see Database.read_long.
    async with state.db.read_long() if query.q else state.db.read() as session:
        page = await list_cases(session, query)
        countries = await network_countries(session, state.config.country)
    if "country" in filters and filters["country"] not in dict(countries):
        countries.append((filters["country"], country_name(filters["country"], current_language())))
    kept = {name: value for name, value in filters.items() if name != "before"}
    context: dict[str, Any] = {
        "cases": page.items,
        "filters": kept,
        "filtered": bool(kept),
        "ignored": ignored,
        "notice": gettext("The case was deleted.") if request.query.get("deleted") else None,
        "paged": "before" in filters,
        "next_url": "/?" + urlencode({**kept, "before": page.next}) if page.next else None,
        "first_url": "/?" + urlencode(kept) if kept else "/",
        "specialty_options": specialty_choices(),
        "language_options": language_choices(),
        "country_options": countries,
        **vocabulary(),
    }
    return render(request, "cases/feed.html", context)
