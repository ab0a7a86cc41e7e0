"""Middlewares every request passes: request id and access log, then error mapping."""

from __future__ import annotations

import re
import secrets
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from federation.text import NUL
from i18n.translate import N_, gettext, ngettext
from node.api.problems import Problem
from node.logs import request_id_var
from node.state import NODE
from node.web.context import wants_html
from node.web.templating import render

REQUEST_ID_HEADER = "X-Request-Id"
# Accept a caller's id only if it is short and plain, so it cannot inject log lines.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REQUEST_ID = web.RequestKey("curbside_request_id", str)


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else secrets.token_hex(8)
    token = request_id_var.set(request_id)
    request[REQUEST_ID] = request_id
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        if not response.prepared:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
    except web.HTTPException as error:
        status = error.status
        error.headers[REQUEST_ID_HEADER] = request_id
        raise
    finally:
        # Path only: query strings can hold search terms about patients, and client
        # addresses are personal data we have no need to keep.
        request.app[NODE].log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        request_id_var.reset(token)


# Page titles for errors shown to people (the JSON API keeps the HTTP phrase).
PAGE_TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please sign in"),
    403: N_("You cannot do this"),
    404: N_("Not found"),
    405: N_("Not possible here"),
    409: N_("That was already done"),
    413: N_("Too large"),
    415: N_("Unsupported file type"),
    422: N_("Please check what you entered"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
    503: N_("Temporarily unavailable"),
}


def _respond(request: web.Request, problem: Problem) -> web.Response:
    request_id = request.get(REQUEST_ID)
    if wants_html(request):
        title = gettext(
            PAGE_TITLES.get(problem.status, PAGE_TITLES[500 if problem.status >= 500 else 400])
        )
        context = {"title": title, "detail": problem.detail or "", "request_id": request_id}
        response = render(request, "error.html", context, status=problem.status)
        response.headers.update(problem.headers)
        return response
    return problem.response(request_id=request_id)


@web.middleware
async def problem_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every error into RFC 9457 problem+json (or an error page for a browser),
    with the request id to quote."""
    try:
        _check_target(request)
        return await handler(request)
    except Problem as problem:
        return _respond(request, problem)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return _respond(
            request, Problem(error.status, _detail_for(error), headers=_kept_headers(error))
        )
    except Exception:
        # The one place an unexpected error is caught: it is logged with its traceback
        # and the client gets an id to quote, never the traceback itself.
        request.app[NODE].log.exception("unhandled error")
        return _respond(request, Problem(500, gettext("Something went wrong on this node.")))


def _check_target(request: web.Request) -> None:
    """A NUL in the path or the query (``%00``) would reach a statement as an id or a
    filter, and PostgreSQL refuses it there (see node.api.storable)."""
    if NUL in request.path or any(
        NUL in name or NUL in value for name, value in request.query.items()
    ):
        raise Problem(
            400, gettext("The address contains a NUL character (%00)."), slug="invalid-url"
        )


# aiohttp's text for a body over client_max_size: "Maximum request body size N exceeded."
_MAX_SIZE = re.compile(r"size (\d+)")


def _detail_for(error: web.HTTPException) -> str:
    if isinstance(error, web.HTTPRequestEntityTooLarge):
        limit = _MAX_SIZE.search(error.text or "")
        if limit is None:
            return gettext("The request body is larger than this node accepts.")
        return ngettext(
            "The request body is larger than this node accepts (at most %(num)s byte).",
            "The request body is larger than this node accepts (at most %(num)s bytes).",
            int(limit.group(1)),
        )
    if isinstance(error, web.HTTPNotFound):
        return gettext("No such resource.")
    if isinstance(error, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(error.allowed_methods))
        return gettext(
            "%(method)s is not allowed here; allowed: %(allowed)s.",
            method=error.method,
            allowed=allowed,
        )
    return error.reason


def _kept_headers(error: web.HTTPException) -> dict[str, str]:
    return {
        name: value for name, value in error.headers.items() if name in ("Allow", "Retry-After")
    }
