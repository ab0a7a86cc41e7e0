"""Every page table of the accounts feature, for node/app.py's PAGE_ROUTES."""

from __future__ import annotations

from aiohttp import web

from node.accounts import (
    login_pages,
    reset_pages,
    session_pages,
    settings_pages,
    signup_pages,
    two_factor_pages,
    verification_pages,
)

TABLES: tuple[web.RouteTableDef, ...] = (
    login_pages.routes,
    signup_pages.routes,
    reset_pages.routes,
    settings_pages.routes,
    two_factor_pages.routes,
    session_pages.routes,
    verification_pages.routes,
)
