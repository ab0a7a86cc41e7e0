"""Cheap structural checks that run before pyld sees a document.

pyld is recursive and does a lot of work per node, so a hostile peer could
make a small request cost seconds of CPU or hit Python's recursion limit.
These checks bound the work with one linear pass over plain JSON.

Scoped contexts deserve their own limit. pyld 3.3 re-processes a scoped
context (and rebuilds the whole active context) for *every* object that uses
it, about 3 ms per object with our contexts, so cost grows with the number of
such objects times the size of the context. Senders may therefore not define
scoped contexts inline, and objects that trigger the bundled ones (a
``DataIntegrityProof`` and its ``proofPurpose``) are counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from federation.text import unstorable

from .contexts import BUNDLED_CONTEXT_URLS, bundled_context
from .errors import DocumentShapeError, InvalidContextError, LimitExceededError


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on an incoming document.

    ``max_nodes`` counts every object, array, scalar value and object key.
    ``max_string_length`` is in characters and applies to keys as well; it is
    generous because a case history is long free text. ``max_scoped_objects``
    bounds the objects that use a bundled scoped context (in practice: proofs),
    enough for a page of signed objects.
    """

    max_depth: int = 32
    max_nodes: int = 10_000
    max_string_length: int = 100_000
    max_scoped_objects: int = 64


DEFAULT_LIMITS: Final = Limits()


def _scoped_terms() -> frozenset[str]:
    """Terms of the bundled contexts whose definition carries a scoped context."""
    names: set[str] = set()
    pending: list[Any] = [bundled_context(url)["@context"] for url in BUNDLED_CONTEXT_URLS]
    while pending:
        context = pending.pop()
        if isinstance(context, list):
            pending.extend(context)
        elif isinstance(context, dict):
            for name, definition in context.items():
                if isinstance(definition, dict) and "@context" in definition:
                    names.add(name)
                    pending.append(definition["@context"])
    return frozenset(names)


#: Type or property names that make pyld apply a bundled scoped context.
SCOPED_TERMS: Final = _scoped_terms()


def _uses_scoped_context(value: dict[str, Any]) -> bool:
    # A superset on purpose: any key or string value (or list item) equal to
    # a scoped term counts, whatever keyword alias the sender used for "type".
    for key, item in value.items():
        if key in SCOPED_TERMS:
            return True
        items = item if isinstance(item, list) else (item,)
        if any(isinstance(element, str) and element in SCOPED_TERMS for element in items):
            return True
    return False


def check_document(document: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise unless ``document`` is a plain JSON object within ``limits``."""
    if not isinstance(document, dict):
        raise DocumentShapeError(
            f"a JSON-LD document must be a JSON object, not {type(document).__name__}"
        )
    # Counted when pushed, so one huge array is refused before it is walked.
    nodes = 1
    scoped = 0
    # Iterative on purpose: recursion here would fail on exactly the deeply
    # nested input this check exists to reject. Each entry: the value, its
    # depth, and whether it sits inside an @context.
    stack: list[tuple[Any, int, bool]] = [(document, 1, False)]
    while stack:
        value, depth, in_context = stack.pop()
        if isinstance(value, dict | list):
            if depth > limits.max_depth:
                raise LimitExceededError(
                    f"document is nested deeper than {limits.max_depth} levels"
                )
            nodes += 2 * len(value) if isinstance(value, dict) else len(value)
            if nodes > limits.max_nodes:
                raise LimitExceededError(
                    f"document has more than {limits.max_nodes} values and keys"
                )
        if isinstance(value, dict):
            if in_context and "@context" in value:
                raise InvalidContextError(
                    "scoped contexts (an @context inside a sender's @context) are not accepted"
                )
            if not in_context and _uses_scoped_context(value):
                scoped += 1
                if scoped > limits.max_scoped_objects:
                    raise LimitExceededError(
                        f"document has more than {limits.max_scoped_objects} objects using "
                        f"a scoped context ({', '.join(sorted(SCOPED_TERMS))})"
                    )
            for key, item in value.items():
                if not isinstance(key, str):
                    raise DocumentShapeError(f"object key {key!r} is not a string")
                _check_string(key, limits)
                stack.append((item, depth + 1, in_context or key == "@context"))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, in_context) for item in value)
        elif isinstance(value, str):
            _check_string(value, limits)
        elif isinstance(value, float) and not math.isfinite(value):
            raise DocumentShapeError(f"{value!r} is not a JSON number")
        elif value is not None and not isinstance(value, bool | int | float):
            raise DocumentShapeError(f"{type(value).__name__} is not a JSON value")


def _check_string(value: str, limits: Limits) -> None:
    if len(value) > limits.max_string_length:
        raise LimitExceededError(
            f"a string is longer than {limits.max_string_length} characters ({value[:40]!r}...)"
        )
    # Neither is text a database can store (PostgreSQL refuses NUL; UTF-8 has no
    # unpaired surrogates, which JSON can spell as "\ud800"): refused here rather
    # than failing, again and again, when the activity is applied.
    reason = unstorable(value)
    if reason is not None:
        raise DocumentShapeError(f"a string {reason}")
