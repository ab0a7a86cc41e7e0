"""Which case thread, and which case or reply, an outgoing activity carries the text of.

Recorded with each outbox entry when it is published, so that a deletion can
withdraw the entries that hold its words (withdraw.py) without reading the log.
"""

from __future__ import annotations

from typing import Any

# The object types whose text an activity carries: a case (with its thread state,
# resolution and poll) and a reply.
CONTENT_TYPES = frozenset({"Case", "Note"})


def carried(activity: dict[str, Any]) -> tuple[str | None, str | None]:
    """(thread, post): the IRI of the case whose thread the activity carries text of,
    and the IRI of the case or reply whose text it is. (None, None) for the rest."""
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") not in CONTENT_TYPES:
        return None, None
    iri = _iri(obj.get("id"))
    if obj["type"] == "Case":
        return iri, iri
    return _iri(obj.get("thread")), iri


def _iri(value: Any) -> str | None:
    """A reference as handlers read it (``id_of``: an IRI or an embedded object's id),
    but None for anything malformed: the handler refuses that activity, and recording
    what it carries must not fail first (a 500 to the sender)."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None
