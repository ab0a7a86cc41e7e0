"""The search page, ``/search``: a GET form with filters, ranked results with the
matched words highlighted and the best matching replies under each case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web
from babel import Locale
from pydantic import ValidationError
from sqlalchemy import select
from yarl import URL

from i18n.jinja import specialty_name
from i18n.languages import SUPPORTED_LANGUAGES
from i18n.regions import country_name
from i18n.specialties import SPECIALTIES
from i18n.translate import current_language
from node.peers.models import Peer
from node.search.query import offset_of
from node.search.schemas import SearchQuery, SearchResults
from node.search.service import search
from node.state import NODE
from node.web.context import verified_page_member
from node.web.templating import render

routes = web.RouteTableDef()

FORM_FIELDS = ("q", "specialty", "status", "language", "country", "cursor")


def language_name(code: str) -> str:
    """The language's name in the reader's language ("Deutsch", "allemand")."""
    try:
        name = Locale.parse(code).get_display_name(current_language())
    except (ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:] if name else code


def _form_values(query: Mapping[str, str]) -> tuple[dict[str, str], bool]:
    """The known, non-empty fields of the form, and whether anything was dropped."""
    values = {name: query[name].strip() for name in FORM_FIELDS if query.get(name, "").strip()}
    return values, any(name not in FORM_FIELDS for name in query)


def _valid_query(values: dict[str, str]) -> tuple[SearchQuery | None, list[str]]:
    """The search to run (None without words), and the fields that were not valid and
    were left out (a hand-edited link should still search, not fail)."""
    if "q" not in values:
        return None, []
    dropped: list[str] = []
    try:
        query = SearchQuery.model_validate(values)
    except ValidationError as error:
        dropped = sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]})
        if "q" in dropped:
            return None, dropped
        query = SearchQuery.model_validate({k: v for k, v in values.items() if k not in dropped})
    if offset_of(query.cursor) is None:
        query = query.model_copy(update={"cursor": None})
    return query, dropped


async def _countries(request: web.Request) -> list[tuple[str, str]]:
    """This node's country and its peers': where the cases it knows come from."""
    state = request.app[NODE]
    async with state.db.read() as session:
        peers = set(await session.scalars(select(Peer.country).where(Peer.country.is_not(None))))
    codes = {state.config.country, *(code for code in peers if code)}
    language = current_language()
    named = [(code, country_name(code, language)) for code in codes]
    return sorted(named, key=lambda item: item[1].casefold())


@routes.get("/search")
async def search_page(request: web.Request) -> web.Response:
    verified_page_member(request)
    values, ignored = _form_values(request.query)
    query, dropped = _valid_query(values)
    results: SearchResults | None = None
    if query is not None:
        async with request.app[NODE].db.read_long() as session:
            results = await search(session, query)
    context: dict[str, Any] = {
        "form": values,
        "results": results,
        "ignored": ignored or bool(dropped),
        "next_link": _next_link(values, results),
        "specialty_options": sorted(
            ((code, specialty_name(code)) for code in SPECIALTIES),
            key=lambda item: item[1].casefold(),
        ),
        "language_options": [(code, language_name(code)) for code in SUPPORTED_LANGUAGES],
        "country_options": await _countries(request),
        "language_name": language_name,
    }
    return render(request, "search/search.html", context)


def _next_link(values: dict[str, str], results: SearchResults | None) -> str | None:
    if results is None or results.next is None:
        return None
    return str(URL("/search").with_query({**values, "cursor": results.next}))
