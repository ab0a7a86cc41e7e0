"""Every page table of the admin pages, for node/app.py's PAGE_ROUTES."""

from __future__ import annotations

from aiohttp import web

from node.admin import (
    audit_pages,
    deid_pages,
    members_pages,
    overview,
    peers_pages,
    reports_pages,
    reveal_pages,
    review_pages,
)

TABLES: tuple[web.RouteTableDef, ...] = (
    overview.routes,
    peers_pages.routes,
    review_pages.routes,
    members_pages.routes,
    reports_pages.routes,
    deid_pages.routes,
    reveal_pages.routes,
    audit_pages.routes,
)
