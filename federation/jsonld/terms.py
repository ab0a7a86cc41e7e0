"""What a normalized document's terms may hold.

JSON-LD alone does not reject ``"anonymous": "yes"``: it happily expands it to
a literal. Handlers should not each re-check JSON types, so the shape of every
Curbside term is declared here, once, next to ``curbside-v1.jsonld``.

To add a term: add it to ``federation/contexts/curbside-v1.jsonld`` and give it
a rule in :data:`CURBSIDE_TERMS`; a test keeps the two in step (a boolean rule
needs ``xsd:boolean`` in the context, a count ``xsd:integer``, a reference
``@id``, a slug set ``@container: @set``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from .contexts import CANONICAL_CONTEXT, bundled_context


class Kind(enum.Enum):
    TEXT = "text"  # one plain string
    CHOICE = "choice"  # one string from a fixed set
    SLUG_SET = "slug set"  # a list of lowercase-slug strings (@container @set)
    BOOLEAN = "boolean"  # JSON true/false (xsd:boolean)
    COUNT = "count"  # JSON integer >= 0 (xsd:integer)
    DATETIME = "date-time"  # xsd:dateTime string (format checked on expansion)
    REFERENCE = "reference"  # an IRI, or an embedded object (@type @id)
    OBJECT = "object"  # one embedded object
    OBJECT_SET = "object set"  # a list of embedded objects (@container @set)
    INTEGER_LIST = "integer list"  # an ordered list of JSON integers (@container @list)


@dataclass(frozen=True, slots=True)
class Rule:
    kind: Kind
    choices: frozenset[str] = field(default_factory=frozenset)


def _choice(*values: str) -> Rule:
    return Rule(Kind.CHOICE, frozenset(values))


TEXT: Final = Rule(Kind.TEXT)
SLUG_SET: Final = Rule(Kind.SLUG_SET)
BOOLEAN: Final = Rule(Kind.BOOLEAN)
COUNT: Final = Rule(Kind.COUNT)
DATETIME: Final = Rule(Kind.DATETIME)
REFERENCE: Final = Rule(Kind.REFERENCE)
OBJECT: Final = Rule(Kind.OBJECT)
OBJECT_SET: Final = Rule(Kind.OBJECT_SET)
INTEGER_LIST: Final = Rule(Kind.INTEGER_LIST)

#: Classes Curbside defines (values of ``type``).
CURBSIDE_TYPES: Final = frozenset(
    {"Case", "Pseudonym", "Resolution", "Attestation", "KeyRotation", "Vote"}
)

#: Properties Curbside defines, with the JSON shape handlers may rely on.
CURBSIDE_TERMS: Final[Mapping[str, Rule]] = MappingProxyType(
    {
        "clinicalQuestion": TEXT,
        "ageBand": TEXT,
        "sex": TEXT,
        "specialty": SLUG_SET,
        "anonymous": BOOLEAN,
        "caseStatus": TEXT,
        "acceptedReply": REFERENCE,
        "outcomeSummary": TEXT,
        "foundWhatNeeded": BOOLEAN,
        "helpfulCount": COUNT,
        "viewCount": COUNT,
        "country": TEXT,
        "verifiedBy": REFERENCE,
        "verifiedSince": DATETIME,
        "attestation": REFERENCE,
        "thread": REFERENCE,
        "keyRotation": REFERENCE,
        "previousKey": REFERENCE,
        "newKey": REFERENCE,
        "newKeyMultibase": TEXT,
        "previousKeyMultibase": TEXT,
        "verificationStatus": TEXT,
        "choice": INTEGER_LIST,
        "replyStats": OBJECT_SET,
        "poll": OBJECT,
        "resolution": OBJECT,
        "position": COUNT,
        "threadVersion": COUNT,
        "votersCount": COUNT,
        "networkViewCount": COUNT,
    }
)


def _is_prefix(value: Any) -> bool:
    return isinstance(value, str) and value.endswith(("#", "/")) and "://" in value


def _merged_definitions(contexts: tuple[str, ...]) -> dict[str, Any]:
    # Later contexts override earlier ones term by term, as in JSON-LD.
    definitions: dict[str, Any] = {}
    for url in contexts:
        definitions.update(bundled_context(url)["@context"])
    return definitions


_DEFINITIONS: Final = MappingProxyType(_merged_definitions(CANONICAL_CONTEXT))

#: Prefix -> namespace IRI in the canonical context (``as``, ``cs``, ``xsd``, ...).
PREFIXES: Final[Mapping[str, str]] = MappingProxyType(
    {name: value for name, value in _DEFINITIONS.items() if _is_prefix(value)}
)


def expand_compact_iri(key: str) -> str:
    """``cs:anonymous`` -> ``https://w3id.org/curbside/ns#anonymous``; others unchanged."""
    prefix, sep, suffix = key.partition(":")
    if sep and prefix in PREFIXES and not suffix.startswith("//"):
        return PREFIXES[prefix] + suffix
    return key


def _term_by_iri() -> Mapping[str, str]:
    iris: dict[str, str] = {}
    for name, definition in _DEFINITIONS.items():
        target = definition.get("@id") if isinstance(definition, dict) else definition
        if name.startswith("@") or name in PREFIXES or not isinstance(target, str):
            continue
        absolute = expand_compact_iri(target)
        if "://" in absolute:
            iris.setdefault(absolute, name)
    return MappingProxyType(iris)


#: Absolute IRI -> term name, for every top-level term of the canonical context.
#: A normalized document that still has a key with one of these IRIs (as
#: ``cs:anonymous`` or in full) holds a value compaction could not fit into
#: the term's definition: a value of the wrong type.
TERM_BY_IRI: Final = _term_by_iri()
