"""The home page, and helpers for pages that send visitors to sign in.

Signing in and out lives in node/accounts/login_pages.py.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

from aiohttp import web

from node.cases.pages_feed import case_feed
from node.web.context import verified_page_member

routes = web.RouteTableDef()

FAVICON = Path(__file__).parent / "static" / "favicon.svg"


def safe_next(value: object) -> str:
    """Only local paths: an open redirect after login is a phishing tool."""
    if not isinstance(value, str):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    # Browsers read "/\host" like "//host", and control characters split headers.
    if "\\" in value or any(ord(ch) < 32 for ch in value):
        return "/"
    return value


def login_redirect(request: web.Request) -> web.HTTPFound:
    return web.HTTPFound("/login?next=" + quote(request.path_qs, safe="/"))


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    """The case feed (node/cases/pages_feed.py)."""
    return await case_feed(request, verified_page_member(request))


@routes.get("/favicon.ico")
async def favicon(request: web.Request) -> web.FileResponse:
    """The icon, for clients that ask for /favicon.ico without reading the page's
    <link rel="icon"> (feed readers, bookmarks, some browsers): without it every such
    request was a 404 in the console and the logs. An SVG; browsers go by the type."""
    response = web.FileResponse(FAVICON, headers={"Content-Type": "image/svg+xml"})
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
