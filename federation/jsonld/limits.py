"""Cheap structural checks that run before pyld sees a document.

pyld is recursive and does a lot of work per node, so a hostile peer could
make a small request cost seconds of CPU or hit Python's recursion limit.
These checks bound the work with one linear pass over plain JSON.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from .errors import DocumentShapeError, LimitExceededError


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on an incoming document.

    ``max_nodes`` counts every object, array, scalar value and object key.
    ``max_string_length`` is in characters and applies to keys as well; it is
    generous because a case history is long free text.
    """

    max_depth: int = 32
    max_nodes: int = 10_000
    max_string_length: int = 100_000


DEFAULT_LIMITS: Final = Limits()


def check_document(document: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise unless ``document`` is a plain JSON object within ``limits``."""
    if not isinstance(document, dict):
        raise DocumentShapeError(
            f"a JSON-LD document must be a JSON object, not {type(document).__name__}"
        )
    # Counted when pushed, so one huge array is refused before it is walked.
    nodes = 1
    # Iterative on purpose: recursion here would fail on exactly the deeply
    # nested input this check exists to reject.
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
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
            for key, item in value.items():
                if not isinstance(key, str):
                    raise DocumentShapeError(f"object key {key!r} is not a string")
                _check_string(key, limits)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
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
