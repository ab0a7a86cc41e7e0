"""The fast path of :func:`normalize`, for documents already in canonical form.

Curbside nodes send documents whose ``@context`` is exactly :data:`CANONICAL_CONTEXT`
and whose keys are its terms. Expanding such a document with pyld and compacting it
against the same context (2-3 ms of CPU per activity) gives back the document itself,
up to a few rewrites this module reproduces: a one-element list becomes its element
(except under a ``@set`` or ``@list`` term), a single string under a ``@set`` term
becomes a list, language tags are lower-cased, and the public collection is spelled
``as:Public``.

Two more shapes are reproduced, because every relayed reply has them: an embedded
object that repeats the canonical ``@context`` (as an object signed with a Data
Integrity proof must), which changes no term, so compaction simply drops it; and a
``proof`` of exactly the shape Curbside signs (one ``DataIntegrityProof`` for
``assertionMethod``, no id), which compacts back to itself without its ``@context``.
Through pyld, such a reply costs 8 ms of CPU on every node it reaches.

Everything else returns None and goes through pyld: another or an extra context
(at the top or on an embedded object), another proof shape, a prefixed, aliased or
unknown key, an IRI that compaction would shorten (one under a
namespace of the context), a blank node, null, an empty list or object, a float, a
typed value of the wrong type, a term that shares its IRI with another. The rules are
deliberately narrow; ``tests/federation/jsonld/test_fast_path.py`` generates documents
(hypothesis) and checks that pyld gives the same result for every one accepted here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Any, Final

from .contexts import CANONICAL_CONTEXT
from .helpers import PUBLIC_COLLECTION
from .terms import _DEFINITIONS, PREFIXES, expand_compact_iri
from .validate import XSD, is_absolute_iri, parse_datetime

_CONTEXT: Final = list(CANONICAL_CONTEXT)
_PUBLIC_IRI: Final = "https://www.w3.org/ns/activitystreams#Public"
_GEN_DELIMS: Final = tuple(":/?#[]@")
_LANGUAGE_TAG: Final = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", re.ASCII)


class Shape(Enum):
    PLAIN = "plain"  # no coercion: literals as they are, objects as nodes
    REFERENCE = "reference"  # "@type": "@id"
    TYPED = "typed"  # "@type": one of _DATATYPES
    LANGUAGE_MAP = "language map"  # "@container": "@language"
    SET = "set"  # "@container": "@set", no coercion
    INTEGER_LIST = "integer list"  # "@type": "xsd:integer", "@container": "@list"


@dataclass(frozen=True, slots=True)
class _Term:
    shape: Shape
    datatype: str | None = None


def _datetime(value: Any) -> bool:
    try:
        parse_datetime(value)
    except ValueError:
        return False
    return True


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Datatypes whose JSON values compact back to themselves, with the check that
# validate.check_expanded would make (a value failing it goes to pyld, which refuses it).
_DATATYPES: Final[Mapping[str, Any]] = MappingProxyType(
    {
        XSD + "dateTime": _datetime,
        XSD + "boolean": lambda value: isinstance(value, bool),
        XSD + "integer": _integer,
        XSD + "nonNegativeInteger": lambda value: _integer(value) and value >= 0,
    }
)


def _iri(definition: Any) -> str | None:
    target = definition.get("@id") if isinstance(definition, dict) else definition
    return expand_compact_iri(target) if isinstance(target, str) else None


def _classify(definition: Any) -> _Term | None:
    if isinstance(definition, str):
        return _Term(Shape.PLAIN)
    if not isinstance(definition, dict) or not set(definition) <= {"@id", "@type", "@container"}:
        return None  # scoped contexts, @reverse, @nest, @prefix...: pyld's business
    kind = definition.get("@type")
    container = definition.get("@container")
    datatype = expand_compact_iri(kind) if isinstance(kind, str) else None
    if container is None:
        if kind is None:
            return _Term(Shape.PLAIN)
        if kind == "@id":
            return _Term(Shape.REFERENCE)
        if datatype in _DATATYPES:
            return _Term(Shape.TYPED, datatype)
        return None
    if container == "@language" and kind is None:
        return _Term(Shape.LANGUAGE_MAP)
    if container == "@set" and kind is None:
        return _Term(Shape.SET)
    if container == "@list" and datatype == XSD + "integer":
        return _Term(Shape.INTEGER_LIST)
    return None


def _tables() -> tuple[Mapping[str, _Term], frozenset[str], tuple[str, ...]]:
    iris = {name: _iri(definition) for name, definition in _DEFINITIONS.items()}
    shared = Counter(iri for iri in iris.values() if iri is not None)
    # Plain and language-map spellings of one property compact apart by the value
    # (a language-tagged string goes to the map), which the test checks.
    pairs = {"name", "nameMap", "content", "contentMap", "summary", "summaryMap"}
    properties: dict[str, _Term] = {}
    classes: set[str] = set()
    for name, definition in _DEFINITIONS.items():
        iri = iris[name]
        if name.startswith("@") or name in PREFIXES or iri is None or "://" not in iri:
            continue
        if shared[iri] > 1 and name not in pairs:
            continue
        if name[0].isupper():
            if isinstance(definition, str):
                classes.add(name)
            continue
        term = _classify(definition)
        if term is not None:
            properties[name] = term
    # Any term or prefix whose IRI could start a compact IRI ("as:Public", "cs:x").
    candidates = (*iris.values(), *PREFIXES.values())
    namespaces = tuple(sorted({i for i in candidates if i and i.endswith(_GEN_DELIMS)}))
    return MappingProxyType(properties), frozenset(classes), namespaces


_PROPERTIES, _CLASSES, _NAMESPACES = _tables()
_TERM_NAMES: Final = frozenset(_DEFINITIONS)


# The one proof shape taken here: what federation/proofs signs. Its terms are those
# of DataIntegrityProof's own (type-scoped) context, so they are listed, not derived.
_PROOF_TYPE: Final = "DataIntegrityProof"
_PROOF_KEYS: Final = frozenset(
    {"type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue"}
)
_PROOF_REQUIRED: Final = _PROOF_KEYS - {"created"}
_CRYPTOSUITES: Final = frozenset({"eddsa-jcs-2022", "eddsa-rdfc-2022"})


class _Decline(Exception):
    """Not a document the fast path reproduces: hand it to pyld."""


def fast_normalize(document: Any) -> dict[str, Any] | None:
    """What :func:`normalize` (expansion and compaction with pyld) would return for
    ``document``, or None when this module cannot be sure of it. ``document`` has
    passed ``check_document`` already."""
    if not isinstance(document, dict) or document.get("@context") != _CONTEXT:
        return None
    body = {key: value for key, value in document.items() if key != "@context"}
    if not set(body) - {"id"}:
        return None  # expansion drops a top-level node that has nothing but an id
    try:
        return {"@context": list(CANONICAL_CONTEXT), **_node(body)}
    except _Decline:
        return None


def _node(value: dict[str, Any]) -> dict[str, Any]:
    if not value:
        raise _Decline
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@context":
            # Only on an embedded object (the top one's is taken off first), and only
            # the canonical one: it redefines every term as it already is.
            if item != _CONTEXT:
                raise _Decline
        elif key == "id":
            out[key] = _reference(item)
        elif key == "proof":
            out[key] = _proof(item)
        elif key == "type":
            if not isinstance(item, str) or item not in _CLASSES:
                raise _Decline
            out[key] = item
        else:
            term = _PROPERTIES.get(key)
            if term is None:
                raise _Decline
            out[key] = _property(term, item)
    if not out:
        raise _Decline  # nothing but a @context
    return out


def _property(term: _Term, value: Any) -> Any:
    shape = term.shape
    if shape is Shape.LANGUAGE_MAP:
        return _language_map(value)
    if shape is Shape.SET:
        if value == []:
            return []  # kept: an empty set says "none" (replyStats of a new case)
        items = value if isinstance(value, list) else [value]
        return _many(items, _plain)
    if shape is Shape.INTEGER_LIST:
        if not isinstance(value, list) or not value or not all(_integer(i) for i in value):
            raise _Decline
        return list(value)
    if shape is Shape.TYPED:
        if isinstance(value, list | dict) or not _DATATYPES[str(term.datatype)](value):
            raise _Decline
        return value
    one = _plain if shape is Shape.PLAIN else _reference_or_node
    if isinstance(value, list):
        items = _many(value, one)
        return items[0] if len(items) == 1 else items
    return one(value)


def _many(items: list[Any], one: Any) -> list[Any]:
    if not items:
        raise _Decline
    return [one(item) for item in items]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return _node(value)
    if isinstance(value, str | bool) or _integer(value):
        return value
    raise _Decline  # null, floats, nested lists


def _reference_or_node(value: Any) -> Any:
    if not isinstance(value, dict):
        return _reference(value)
    node = _node(value)
    # {"id": x} under an "@id"-typed term is just a reference: it compacts to x.
    return node["id"] if set(node) == {"id"} else node


def _reference(value: Any) -> str:
    if value in (PUBLIC_COLLECTION, _PUBLIC_IRI):
        return PUBLIC_COLLECTION
    if not isinstance(value, str) or not is_absolute_iri(value):
        raise _Decline  # relative IRIs and blank nodes: pyld decides
    if value.partition(":")[0] in _TERM_NAMES or value.startswith(_NAMESPACES):
        raise _Decline  # a compact IRI, or one compaction would turn into one
    return value


def _language_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise _Decline
    out: dict[str, str] = {}
    for tag, text in value.items():
        if not isinstance(text, str) or _LANGUAGE_TAG.fullmatch(tag) is None:
            raise _Decline
        if tag.lower() in out:
            raise _Decline
        out[tag.lower()] = text
    return out


def _proof(value: Any) -> dict[str, Any]:
    """A ``proof`` (an ``@graph`` container): one node of the shape Curbside signs,
    given back without its ``@context``; anything else is pyld's."""
    if not isinstance(value, dict):
        raise _Decline  # several proofs, or a reference
    keys = set(value) - {"@context"}
    if not _PROOF_REQUIRED <= keys <= _PROOF_KEYS or value.get("@context", _CONTEXT) != _CONTEXT:
        raise _Decline
    if (
        value["type"] != _PROOF_TYPE
        or value["proofPurpose"] != "assertionMethod"
        # A str first: a list or an object here cannot be looked up in a set.
        or not isinstance(value["cryptosuite"], str)
        or value["cryptosuite"] not in _CRYPTOSUITES
        or not isinstance(value["proofValue"], str)
        or (
            "created" in value
            and not (isinstance(value["created"], str) and _datetime(value["created"]))
        )
    ):
        raise _Decline
    out = {key: value[key] for key in value if key != "@context"}
    out["verificationMethod"] = _reference(value["verificationMethod"])
    return out
