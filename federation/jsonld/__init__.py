"""JSON-LD processing for Curbside, with bundled contexts only.

``normalize(document)`` is the entry point for every incoming document: it
checks size and shape, expands it with pyld using only the contexts bundled in
``federation/contexts/`` (a remote ``@context`` is never fetched), compacts it
against :data:`CANONICAL_CONTEXT` and checks the value types of Curbside's
terms. Every failure is a :class:`JsonLdError`.
"""

from __future__ import annotations

from .contexts import (
    ACTIVITYSTREAMS,
    CANONICAL_CONTEXT,
    CONTEXT_URLS,
    CURBSIDE_NS,
    CURBSIDE_V1,
    DATA_INTEGRITY_V2,
    SECURITY_V1,
    bundled_context,
    load_bundled_document,
)
from .errors import (
    DocumentShapeError,
    InvalidContextError,
    InvalidIriError,
    InvalidValueError,
    JsonLdError,
    LimitExceededError,
    RemoteContextError,
)
from .helpers import PUBLIC_COLLECTION, as_list, id_of
from .limits import DEFAULT_LIMITS, Limits, check_document
from .normalize import expand, normalize
from .terms import CURBSIDE_TERMS, CURBSIDE_TYPES
from .validate import is_absolute_iri, parse_datetime

__all__ = [
    "ACTIVITYSTREAMS",
    "CANONICAL_CONTEXT",
    "CONTEXT_URLS",
    "CURBSIDE_NS",
    "CURBSIDE_TERMS",
    "CURBSIDE_TYPES",
    "CURBSIDE_V1",
    "DATA_INTEGRITY_V2",
    "DEFAULT_LIMITS",
    "PUBLIC_COLLECTION",
    "SECURITY_V1",
    "DocumentShapeError",
    "InvalidContextError",
    "InvalidIriError",
    "InvalidValueError",
    "JsonLdError",
    "LimitExceededError",
    "Limits",
    "RemoteContextError",
    "as_list",
    "bundled_context",
    "check_document",
    "expand",
    "id_of",
    "is_absolute_iri",
    "load_bundled_document",
    "normalize",
    "parse_datetime",
]
