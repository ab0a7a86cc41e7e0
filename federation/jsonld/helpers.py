"""Small accessors that keep handler code short.

ActivityStreams lets most properties hold one value or a list, and an object
or just its IRI. Normalized documents keep that freedom (JSON-LD compaction
writes a single value without a list), so handlers read through these.
"""

from __future__ import annotations

from typing import Any, Final

from .errors import InvalidValueError

#: The ActivityStreams public collection as it appears in a normalized
#: document: compaction writes ``https://www.w3.org/ns/activitystreams#Public``
#: (and the ``Public`` / ``as:Public`` spellings) as ``as:Public``.
PUBLIC_COLLECTION: Final = "as:Public"


def as_list(value: Any) -> list[Any]:
    """``None`` -> ``[]``, a list -> itself, anything else -> ``[value]``."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def id_of(value: Any) -> str | None:
    """The IRI of a reference: the string itself, or an embedded object's ``id``.

    ``None`` when there is no value or the object is anonymous (has no ``id``).
    A list is an error rather than "the first one": picking one silently is how
    an activity about two objects gets applied to the wrong one.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        identifier = value.get("id")
        if identifier is None or isinstance(identifier, str):
            return identifier
        raise InvalidValueError(f"id must be a string, got {identifier!r:.80}")
    if isinstance(value, list):
        raise InvalidValueError(f"expected one object or IRI, got a list of {len(value)}")
    raise InvalidValueError(f"expected an object or IRI, got {value!r:.80}")
