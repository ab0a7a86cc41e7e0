"""Text the databases can store, checked where it enters the node.

PostgreSQL refuses a NUL character in text, and no UTF-8 database can hold an
unpaired surrogate (JSON can spell one, "\\ud800"). Either used to reach a statement
and fail there, as a 500; on SQLite a NUL was stored, and then broke the PostgreSQL
peers the case was federated to. Requests carrying them are refused up front, with
the field named.
"""

from __future__ import annotations

from typing import Any

from federation.text import unstorable


def first_unstorable(document: Any) -> tuple[str, str] | None:
    """The first string (key or value) in a parsed JSON document that cannot be
    stored, as (its dotted path, why), or None."""
    # Iterative: the document may be nested as deeply as the parser allowed.
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            reason = unstorable(value)
            if reason is not None:
                return path or "(body)", reason
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                reason = unstorable(key) if isinstance(key, str) else None
                if reason is not None:
                    return repr(key), f"a field name {reason}"
                stack.append((item, where))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{index}") for index, item in enumerate(value))
    return None
