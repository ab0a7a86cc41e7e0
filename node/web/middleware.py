"""Middlewares every request passes: request id and access log, then error mapping."""

from __future__ import annotations

import re
import secrets
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from node.api.problems import Problem
from node.logs import request_id_var
from node.state import NODE

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


@web.middleware
async def problem_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every error into RFC 9457 problem+json, with the request id to quote."""
    request_id = request.get(REQUEST_ID)
    try:
        return await handler(request)
    except Problem as problem:
        return problem.response(request_id=request_id)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        mapped = Problem(error.status, _detail_for(error), headers=_kept_headers(error))
        return mapped.response(request_id=request_id)
    except Exception:
        # The one place an unexpected error is caught: it is logged with its traceback
        # and the client gets an id to quote, never the traceback itself.
        request.app[NODE].log.exception("unhandled error")
        return Problem(500, "Something went wrong on this node.").response(request_id=request_id)


def _detail_for(error: web.HTTPException) -> str:
    if isinstance(error, web.HTTPRequestEntityTooLarge):
        return f"The request body is larger than this node accepts ({error.text})."
    if isinstance(error, web.HTTPNotFound):
        return "No such resource."
    if isinstance(error, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(error.allowed_methods))
        return f"{error.method} is not allowed here; allowed: {allowed}."
    return error.reason


def _kept_headers(error: web.HTTPException) -> dict[str, str]:
    return {
        name: value for name, value in error.headers.items() if name in ("Allow", "Retry-After")
    }
