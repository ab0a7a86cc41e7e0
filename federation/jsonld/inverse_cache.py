"""Reuse pyld's inverse contexts across documents.

Compaction needs an *inverse context* for every active context it meets, and for our
contexts (ActivityStreams, Data Integrity and Curbside: hundreds of terms) building
one costs milliseconds. pyld caches them under a uuid of the active context, but a
type-scoped context inside a document (a Data Integrity proof, say) gives a fresh
uuid on every document, so each reply relayed with its author node's proof rebuilt
two of them: 10 ms of CPU per activity, most of the inbox's time in a busy thread.

An inverse context is a function of the active context's default language and of
the fields of its term definitions that the algorithm reads (JSON-LD 1.1 API, 4.3
"Inverse Context Creation"; pyld's ``_get_inverse_context`` reads nothing else), so
those make an exact key. Computing it costs a fraction of building the inverse: a
proof-carrying activity normalizes in about half the time (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from pyld import jsonld  # type: ignore[import-untyped]

MAX_ENTRIES: Final = 64

_Key = tuple[Any, tuple[tuple[str, tuple[Any, ...]], ...]]
_cache: dict[_Key, Any] = {}
_stats = {"hits": 0, "misses": 0}


_FIELDS: Final = ("@id", "@container", "reverse", "@type", "@language", "@direction")
_ABSENT: Final = object()


def _fields(definition: Any) -> tuple[Any, ...]:
    if definition is None:
        return ()
    return tuple(
        tuple(value) if isinstance(value, list) else value
        for value in (definition.get(field, _ABSENT) for field in _FIELDS)
    )


def _key(active_ctx: Any) -> _Key:
    mappings = active_ctx["mappings"]
    return (
        active_ctx.get("@language", "@none"),
        tuple((term, _fields(definition)) for term, definition in mappings.items()),
    )


def _cached(build: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def inverse_context(processor: Any, active_ctx: Any) -> Any:
        known = jsonld._inverse_context_cache.get(active_ctx["_uuid"])
        if known:
            return known  # pyld's own cache: this very active context again
        key = _key(active_ctx)
        inverse = _cache.get(key)
        if inverse is not None:
            _stats["hits"] += 1
            jsonld._inverse_context_cache[active_ctx["_uuid"]] = inverse
            return inverse
        _stats["misses"] += 1
        inverse = build(processor, active_ctx)
        if len(_cache) >= MAX_ENTRIES:
            _cache.clear()  # simpler than LRU; we meet a handful of contexts
        _cache[key] = inverse
        return inverse

    inverse_context.curbside_cached = True  # type: ignore[attr-defined]
    inverse_context.uncached = build  # type: ignore[attr-defined]
    return inverse_context


def install() -> None:
    """Route pyld's inverse-context building through the cache (idempotent)."""
    current = jsonld.JsonLdProcessor._get_inverse_context
    if not getattr(current, "curbside_cached", False):
        jsonld.JsonLdProcessor._get_inverse_context = _cached(current)


def stats() -> dict[str, int]:
    """Hits and misses so far (for tests and benchmarks)."""
    return dict(_stats)
