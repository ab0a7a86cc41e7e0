"""Rendering pages: one Jinja environment per node, with the request's context."""

from __future__ import annotations

from typing import Any

import jinja2
from aiohttp import web

from i18n.jinja import make_environment
from i18n.languages import SUPPORTED_LANGUAGES, text_direction
from i18n.translate import current_language
from node import __version__
from node.state import NODE
from node.web.branding import without_product
from node.web.context import csrf_token, page_member

STATIC_PREFIX = "/static/"


def build_environment() -> jinja2.Environment:
    return make_environment(jinja2.PackageLoader("node.web", "templates"))


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    state = request.app[NODE]
    language = current_language()
    page: dict[str, Any] = {
        "request": request,
        "node": state.config,
        # The header says "Curbside" itself: the node's name without it.
        "node_place": without_product(state.config.name),
        "member": page_member(request),
        "csrf_token": csrf_token(request),
        "lang": language,
        "dir": text_direction(language),
        "languages": SUPPORTED_LANGUAGES,
        "static": lambda path: f"{STATIC_PREFIX}{path}?v={__version__}",
        "path": request.path,
    }
    page.update(context or {})
    html = state.templates.get_template(template).render(page)
    response = web.Response(text=html, content_type="text/html", charset="utf-8", status=status)
    # Pages show patient cases: never keep them in shared caches or the back/forward cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    return response
