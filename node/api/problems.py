"""Errors as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aiohttp import web

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem type IRIs live under Curbside's namespace so they are the same on every
# node and clients can switch on them; docs/api.md lists them.
PROBLEM_BASE = "https://w3id.org/curbside/problems/"


class Problem(Exception):
    """Raise from a handler to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or HTTPStatus(status).phrase)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers or {}
        self.extra = extra

    def document(self, *, request_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug if self.slug else "about:blank",
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if request_id:
            body["request_id"] = request_id
        body.update(self.extra)
        return body

    def response(self, *, request_id: str | None = None) -> web.Response:
        return web.Response(
            status=self.status,
            text=json.dumps(self.document(request_id=request_id), ensure_ascii=False),
            content_type=PROBLEM_CONTENT_TYPE,
            headers=self.headers,
        )


def unauthorized(detail: str) -> Problem:
    return Problem(
        401, detail, slug="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="curbside"'}
    )


def forbidden(detail: str, *, slug: str = "forbidden") -> Problem:
    return Problem(403, detail, slug=slug)


def not_found(detail: str = "No such resource.") -> Problem:
    """The bare default is for machine endpoints (ActivityPub objects, actors), which
    stay English; a person's page passes ``gettext("...")``."""
    return Problem(404, detail, slug="not-found")
