"""Checks JSON-LD itself does not make, run on pyld's output.

JSON-LD is permissive by design: a relative ``id``, ``"published": 3`` or
``"anonymous": "yes"`` all expand without complaint. Curbside handlers compare
ids across origins and branch on booleans, so anything that is not what it
claims to be is rejected here, once, instead of in every handler.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

from .errors import DocumentShapeError, InvalidIriError, InvalidValueError
from .terms import CURBSIDE_TERMS, TERM_BY_IRI, Kind, Rule, expand_compact_iri

XSD: Final = "http://www.w3.org/2001/XMLSchema#"

# RFC 3987 absolute IRI, loosely: a scheme, then no whitespace, controls or the
# characters RFC 3986 never allows unescaped. Good enough to stop "relative",
# "http://a b" and "javascript" look-alikes; origin checks come later.
_ABSOLUTE_IRI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]*")
_BLANK_NODE: Final = re.compile(r"_:[^\s]+")

# xsd:dateTime with a mandatory offset: handlers compare instants, and a naive
# datetime cannot be compared with an aware one.
_DATETIME: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII
)
_SLUG: Final = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*", re.ASCII)

_NON_NEGATIVE_TYPES: Final = frozenset(
    XSD + name
    for name in (
        "nonNegativeInteger",
        "positiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)
_INTEGER_TYPES: Final = _NON_NEGATIVE_TYPES | frozenset(
    XSD + name
    for name in ("integer", "long", "int", "short", "byte", "nonPositiveInteger", "negativeInteger")
)
_NUMBER_TYPES: Final = frozenset(XSD + name for name in ("decimal", "double", "float"))
_JSON_LITERAL: Final = "@json"


def is_absolute_iri(value: object) -> bool:
    return isinstance(value, str) and _ABSOLUTE_IRI.fullmatch(value) is not None


def _check_reference(value: object, where: str) -> None:
    if not isinstance(value, str):
        raise InvalidIriError(f"{where} must be a string IRI, got {value!r:.80}")
    if _BLANK_NODE.fullmatch(value) is None and not is_absolute_iri(value):
        raise InvalidIriError(f"{where} {value!r:.200} is not an absolute IRI")


def parse_datetime(value: object) -> datetime:
    """An xsd:dateTime with an offset, as an aware datetime; ValueError otherwise."""
    if not isinstance(value, str) or _DATETIME.fullmatch(value) is None:
        raise ValueError(f"{value!r:.80} is not a date-time with a UTC offset")
    return datetime.fromisoformat(value)


def _check_literal(value_object: dict[str, Any], prop: str) -> None:
    value = value_object["@value"]
    datatype = value_object.get("@type")
    if datatype is None or datatype == _JSON_LITERAL:
        return
    _check_reference(datatype, f"{prop}: @type of a value")
    short = "xsd:" + datatype.removeprefix(XSD) if datatype.startswith(XSD) else datatype
    if datatype == XSD + "dateTime":
        try:
            parse_datetime(value)
        except ValueError as exc:
            raise InvalidValueError(f"{prop}: {exc}") from exc
    elif datatype == XSD + "boolean":
        if not isinstance(value, bool):
            raise InvalidValueError(f"{prop}: {short} must be true or false, got {value!r:.80}")
    elif datatype in _INTEGER_TYPES:
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidValueError(f"{prop}: {short} must be a JSON integer, got {value!r:.80}")
        if datatype in _NON_NEGATIVE_TYPES and value < 0:
            raise InvalidValueError(f"{prop}: {short} must not be negative, got {value}")
    elif datatype in _NUMBER_TYPES:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidValueError(f"{prop}: {short} must be a JSON number, got {value!r:.80}")
    elif not isinstance(value, str):
        # Other datatypes (multibase, duration, ...) are lexical forms.
        raise InvalidValueError(f"{prop}: a {short} value must be a string, got {value!r:.80}")


def _name(iri: str) -> str:
    """The short name of a property IRI, for error messages."""
    return TERM_BY_IRI.get(iri, iri)


def check_expanded(expanded: list[Any]) -> dict[str, Any]:
    """Validate pyld's expanded output; return its single top-level node."""
    nodes = [item for item in expanded if isinstance(item, dict) and "@value" not in item]
    if len(expanded) != 1 or len(nodes) != 1:
        raise DocumentShapeError(
            f"document must describe exactly one top-level object, found {len(nodes)}"
        )
    # (item, name of the property it is a value of) pairs, for clear messages.
    stack: list[tuple[Any, str]] = [(nodes[0], "document")]
    while stack:
        item, prop = stack.pop()
        if isinstance(item, list):
            stack.extend((element, prop) for element in item)
            continue
        if not isinstance(item, dict):
            continue
        if "@value" in item:
            _check_literal(item, prop)
            continue
        if "@id" in item:
            _check_reference(item["@id"], f"{prop}: id")
        for datatype in item.get("@type", ()):
            _check_reference(datatype, f"{prop}: type")
        for graph_item in item.get("@graph", ()):
            if not isinstance(graph_item, dict) or "@value" in graph_item:
                raise InvalidValueError(
                    f"{prop}: a graph may only hold objects, got {graph_item!r:.80}"
                )
        stack.extend(
            (value, prop if key.startswith("@") else _name(key))
            for key, value in item.items()
            if key not in ("@id", "@type")
        )
    return nodes[0]


def _check_rule(term: str, value: Any, rule: Rule) -> None:
    kind = rule.kind
    if kind is Kind.SLUG_SET:
        if not isinstance(value, list) or not all(
            isinstance(slug, str) and _SLUG.fullmatch(slug) for slug in value
        ):
            raise InvalidValueError(f"{term} must be lowercase slugs, got {value!r:.120}")
        return
    if kind is Kind.OBJECT_SET:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise InvalidValueError(f"{term} must be a list of objects, got {value!r:.120}")
        return
    if kind is Kind.INTEGER_LIST:
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) and item >= 0 for item in value
        ):
            raise InvalidValueError(f"{term} must be a list of whole numbers, got {value!r:.120}")
        return
    if isinstance(value, list):
        raise InvalidValueError(f"{term} takes one value, got {len(value)}")
    ok = {
        Kind.TEXT: isinstance(value, str),
        Kind.CHOICE: isinstance(value, str) and value in rule.choices,
        Kind.BOOLEAN: isinstance(value, bool),
        Kind.COUNT: isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        Kind.DATETIME: isinstance(value, str),
        Kind.REFERENCE: isinstance(value, str | dict),
        Kind.OBJECT: isinstance(value, dict),
    }[kind]
    if not ok:
        expected = f"one of {sorted(rule.choices)}" if kind is Kind.CHOICE else f"a {kind.value}"
        raise InvalidValueError(f"{term} must be {expected}, got {value!r:.120}")


def check_compacted(document: dict[str, Any]) -> None:
    """Validate the compacted document against the Curbside term rules."""
    stack: list[Any] = [{k: v for k, v in document.items() if k != "@context"}]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            rule = CURBSIDE_TERMS.get(key)
            if rule is not None:
                _check_rule(key, value, rule)
            elif not key.startswith("@"):
                term = TERM_BY_IRI.get(expand_compact_iri(key))
                if term is not None:
                    raise InvalidValueError(
                        f"{key} holds a value that does not fit the definition of "
                        f"{term!r}: {value!r:.120}"
                    )
            stack.append(value)
