"""Errors raised while processing an incoming JSON-LD document.

Every failure of :func:`federation.jsonld.normalize` is a :class:`JsonLdError`,
so the inbound pipeline can turn it into one 400 response. The subclasses say
*why*, for logs and tests; callers that only need "reject it" catch the base.
"""

from __future__ import annotations


class JsonLdError(ValueError):
    """The document is not acceptable JSON-LD for Curbside."""


class DocumentShapeError(JsonLdError):
    """Not a JSON object, not plain JSON, or not exactly one top-level node."""


class LimitExceededError(JsonLdError):
    """Too deep, too many nodes or keys, or a string too long."""


class RemoteContextError(JsonLdError):
    """The document names a context we do not bundle; it is never fetched."""


class InvalidContextError(JsonLdError):
    """An inline ``@context`` is malformed or conflicts with a bundled one."""


class InvalidIriError(JsonLdError):
    """An ``id`` (or an IRI-valued property) is not an absolute IRI."""


class InvalidValueError(JsonLdError):
    """A value has the wrong type for its property (e.g. ``"anonymous": "yes"``)."""
