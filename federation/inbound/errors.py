"""Why an inbound request or activity is refused, with the HTTP status to answer."""

from __future__ import annotations


class InboundRejected(Exception):
    """Refuse the request with ``status``; ``detail`` is safe to show the sender."""

    status = 400
    slug = "invalid-activity"

    def __init__(self, detail: str, *, status: int | None = None, slug: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug


class Unauthenticated(InboundRejected):
    status = 401
    slug = "bad-signature"


class Forbidden(InboundRejected):
    status = 403
    slug = "forbidden"


class Unsupported(InboundRejected):
    status = 422
    slug = "unsupported-activity"
