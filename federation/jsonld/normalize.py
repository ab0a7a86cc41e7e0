"""Turn whatever JSON-LD a peer sent into one predictable shape.

Peers may spell the same statement many ways (``"cs:anonymous"``, a full IRI,
an aliased ``@id``, extra inline contexts). Expanding to IRIs and compacting
against :data:`CANONICAL_CONTEXT` gives handlers one spelling to match on, and
it is the only meaning-preserving way to do so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pyld import jsonld  # type: ignore[import-untyped]

from . import contexts, inverse_cache
from .errors import (
    DocumentShapeError,
    InvalidContextError,
    InvalidIriError,
    InvalidValueError,
    JsonLdError,
    RemoteContextError,
)
from .fast import fast_normalize
from .limits import DEFAULT_LIMITS, Limits, check_document
from .validate import check_compacted, check_expanded

inverse_cache.install()

# pyld error codes (JSON-LD 1.1 API, section 9.4.2) -> our error classes.
# Codes not listed here (rare syntax errors) become the base JsonLdError.
_REMOTE_CONTEXT_CODES: Final = frozenset(
    {
        "loading remote context failed",
        "loading document failed",
        "invalid remote context",
        "context overflow",
        "recursive context inclusion",
    }
)
_CONTEXT_CODES: Final = frozenset(
    {
        "invalid local context",
        "invalid context entry",
        "invalid context nullification",
        "invalid scoped context",
        "invalid term definition",
        "invalid IRI mapping",
        "invalid type mapping",
        "invalid container mapping",
        "invalid language mapping",
        "invalid vocab mapping",
        "invalid base IRI",
        "invalid default language",
        "invalid keyword alias",
        "invalid reverse property",
        "invalid @version value",
        "invalid @prefix value",
        "invalid @propagate value",
        "invalid @import value",
        "invalid base direction",
        "cyclic IRI mapping",
        "keyword redefinition",
        "protected term redefinition",
        "processing mode conflict",
    }
)
_IRI_CODES: Final = frozenset({"invalid @id value", "IRI confused with prefix"})
_VALUE_CODES: Final = frozenset(
    {
        "invalid typed value",
        "invalid type value",
        "invalid value object",
        "invalid value object value",
        "invalid language-tagged string",
        "invalid language-tagged value",
        "invalid language map value",
        "invalid JSON literal",
        "invalid set or list object",
        "invalid @index value",
        "invalid @graph value",
        "invalid @included value",
        "invalid @nest value",
        "invalid @reverse value",
        "invalid reverse property value",
        "invalid reverse property map",
        "colliding keywords",
        "conflicting indexes",
    }
)
_CLASS_BY_CODES: Final[tuple[tuple[frozenset[str], type[JsonLdError]], ...]] = (
    (_REMOTE_CONTEXT_CODES, RemoteContextError),
    (_CONTEXT_CODES, InvalidContextError),
    (_IRI_CODES, InvalidIriError),
    (_VALUE_CODES, InvalidValueError),
)


def _translate(error: jsonld.JsonLdError) -> JsonLdError:
    """One of our errors for a pyld error (the caller chains the original)."""
    # pyld wraps errors in more generic ones ("Could not expand input..."), and
    # wraps our loader's refusal too: use the most specific error in the chain.
    specific: jsonld.JsonLdError = error
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, JsonLdError):
            return type(current)(str(current))
        if isinstance(current, jsonld.JsonLdError) and current.code:
            specific = current
        current = current.__cause__
    code = specific.code or specific.type
    message = f"{specific.args[0] if specific.args else 'invalid JSON-LD'} ({code})"
    details = specific.details if isinstance(specific.details, Mapping) else {}
    if "url" in details:
        message += f": {details['url']!r}"
    for codes, cls in _CLASS_BY_CODES:
        if code in codes:
            return cls(message)
    return JsonLdError(message)


def _options() -> dict[str, Any]:
    # A fresh dict per call: pyld writes into its options.
    return {
        "documentLoader": contexts.load_bundled_document,
        # No base: pyld's default base is http://example.org/base/, which
        # would silently turn a relative "id" into an absolute one.
        "base": None,
        "processingMode": "json-ld-1.1",
    }


def expand(document: Any, *, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Expand ``document`` to its single top-level node, with full IRIs.

    Use this when the meaning matters more than the spelling (for example to
    compare with another expansion); handlers want :func:`normalize`.
    """
    check_document(document, limits)
    return _expand_checked(document)


def _expand_checked(document: Any) -> dict[str, Any]:
    try:
        expanded = jsonld.expand(document, _options())
    except jsonld.JsonLdError as error:
        raise _translate(error) from error
    except JsonLdError:
        # Already ours (and a ValueError): keep it out of the clause below.
        raise
    except ValueError as error:
        # pyld's IRI resolver raises a bare ValueError for a relative IRI it
        # cannot resolve (we set no base on purpose) or an invalid @base.
        raise InvalidIriError(f"cannot resolve IRI: {error}") from error
    except KeyError as error:
        # pyld 3.3 fails this way on "@language": null or "@direction": null in
        # a context with no default to remove. Valid JSON-LD, but we cannot
        # process it, so it is refused like a malformed context.
        raise InvalidContextError(f"unsupported context entry {error}") from error
    return check_expanded(expanded)


def normalize(document: Any, *, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Validate, expand and compact ``document`` against Curbside's canonical context.

    Returns a new dict whose ``@context`` is :data:`CANONICAL_CONTEXT` and whose
    keys are the terms of ActivityStreams, Data Integrity and Curbside, whatever
    prefixes, aliases or inline contexts the sender used. Note: IRIs in the
    ActivityStreams namespace compact to ``as:`` form, so the public collection
    reads ``"as:Public"`` (see :data:`PUBLIC_COLLECTION`).

    Raises :class:`JsonLdError` (a subclass saying why) for anything that is not
    one valid JSON-LD object within ``limits`` using only bundled contexts.
    """
    check_document(document, limits)
    fast = fast_normalize(document)
    if fast is not None:
        # Already canonical: pyld would give it back as it is (see .fast).
        check_compacted(fast)
        return fast
    return normalize_with_pyld(document)


def normalize_with_pyld(document: Any) -> dict[str, Any]:
    """:func:`normalize` without the fast path, for a document that passed
    ``check_document`` (the fast path's tests compare the two)."""
    node = _expand_checked(document)
    options = _options()
    # The node is already expanded; do not pay for a second expansion.
    options["skipExpansion"] = True
    try:
        compacted: Any = jsonld.compact(node, list(contexts.CANONICAL_CONTEXT), options)
    except jsonld.JsonLdError as error:
        raise _translate(error) from error
    if not isinstance(compacted, dict):
        raise DocumentShapeError("document did not compact to a single object")
    check_compacted(compacted)
    return compacted
