"""The URL a peer used to reach us, as it signed it."""

from aiohttp import web

from node.state import NODE


def public_url(request: web.Request) -> str:
    """Our public origin plus the raw path and query of the request.

    A signature covers ``@target-uri``. Behind a TLS proxy ``request.url`` says
    http://127.0.0.1:8080/..., not what the sender signed, so the origin comes from
    the configured domain and only the path and query from the request line.
    """
    return request.app[NODE].config.base_url + request.raw_path
