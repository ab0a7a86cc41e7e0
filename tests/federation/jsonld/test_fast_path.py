"""The canonical-form fast path of normalize() against pyld itself.

Differential: documents are generated from the canonical context's own vocabulary —
mostly well-formed values for each term, with junk mixed in — and whenever the fast
path gives an answer, expanding and compacting with pyld must give the same one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation.jsonld import CANONICAL_CONTEXT, JsonLdError, check_document, normalize
from federation.jsonld.fast import _CLASSES, _PROPERTIES, Shape, fast_normalize
from federation.jsonld.normalize import normalize_with_pyld
from federation.jsonld.terms import _DEFINITIONS
from federation.jsonld.validate import check_compacted

CONTEXT = list(CANONICAL_CONTEXT)


def sometimes(valid: st.SearchStrategy[Any], junk: st.SearchStrategy[Any]) -> Any:
    """Mostly ``valid``, one time in ten ``junk``: enough documents stay fast-path ones."""
    return st.integers(0, 9).flatmap(lambda n: junk if n == 0 else valid)


GOOD_IRIS = st.sampled_from(
    [
        "https://us.example/cases/1",
        "https://de.example/members/a?x=1#frag",
        "http://127.0.0.1:8123/activities/abc",
        "urn:uuid:7c1e3c4e-2a3b-4c5d-8e9f-0a1b2c3d4e5f",
        "https://www.w3.org/ns/activitystreams#Public",
        "as:Public",
    ]
)
BAD_IRIS = st.sampled_from(
    [
        # Compaction rewrites or refuses these: the fast path must leave them to pyld.
        "https://w3id.org/curbside/ns#anonymous",
        "https://www.w3.org/ns/activitystreams#Note",
        "http://www.w3.org/2001/XMLSchema#string",
        "cs:thing",
        "xsd:string",
        "relative/path",
        "_:b0",
        "Public",
        "",
    ]
)
IRIS = sometimes(GOOD_IRIS, BAD_IRIS)
TEXT = st.text(max_size=12) | st.sampled_from(["en", "true", "@id", "cs:x", "https://a.example/"])
TAGS = sometimes(
    st.sampled_from(["en", "de", "fr", "en-GB", "EN", "pt-br", "zh-Hant-TW"]),
    st.sampled_from(["x", "en_US", "@none", ""]),
)
DATES = sometimes(
    st.sampled_from(["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123+02:00"]),
    st.sampled_from(["2024-05-01", "yesterday", "2024-05-01T10:00:00"]),
)
JUNK: st.SearchStrategy[Any] = (
    st.none() | st.floats(allow_nan=False, allow_infinity=False) | st.just([]) | st.just({})
)

TYPED_VALUES = {
    "http://www.w3.org/2001/XMLSchema#dateTime": DATES,
    "http://www.w3.org/2001/XMLSchema#boolean": sometimes(
        st.booleans(), st.sampled_from(["true", 1])
    ),
    "http://www.w3.org/2001/XMLSchema#integer": sometimes(st.integers(-3, 3), st.just("3")),
    "http://www.w3.org/2001/XMLSchema#nonNegativeInteger": sometimes(
        st.integers(0, 5), st.sampled_from([-1, True, "2"])
    ),
}
PROPERTY_NAMES = sorted(_PROPERTIES)
# Keys the fast path must refuse: prefixed, aliased, unknown, keywords, class names.
OTHER_KEYS = st.sampled_from(
    ["cs:anonymous", "as:name", "@id", "@type", "items", "orderedItems", "proof", "Note", "foo"]
)


def value_for(name: str, nodes: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    term = _PROPERTIES[name]
    scalar = TEXT | st.booleans() | st.integers(-5, 5)
    one: st.SearchStrategy[Any]
    if term.shape is Shape.REFERENCE:
        one = IRIS | nodes | st.builds(lambda iri: {"id": iri}, IRIS)
    elif term.shape is Shape.PLAIN:
        one = scalar | nodes
    elif term.shape is Shape.SET:
        one = TEXT | nodes
    elif term.shape is Shape.LANGUAGE_MAP:
        return sometimes(
            st.dictionaries(TAGS, TEXT, min_size=1, max_size=3),
            st.dictionaries(TAGS, st.integers(0, 2), max_size=2) | JUNK,
        )
    elif term.shape is Shape.INTEGER_LIST:
        return sometimes(
            st.lists(st.integers(0, 4), min_size=1, max_size=3),
            st.lists(st.integers(-1, 4), max_size=3) | st.integers(0, 3) | JUNK,
        )
    else:
        return TYPED_VALUES[str(term.datatype)]
    return sometimes(one | st.lists(one, min_size=1, max_size=3), JUNK)


GOOD_PROOF: dict[str, Any] = {
    "@context": CONTEXT,
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-jcs-2022",
    "created": "2024-05-01T10:00:00Z",
    "verificationMethod": "https://de.example/actor#key-1",
    "proofPurpose": "assertionMethod",
    "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKUQ",
}
# Each a change to GOOD_PROOF: None removes the key. Most are ones the fast path
# must leave to pyld (another purpose, a second context, an id...).
PROOF_CHANGES: st.SearchStrategy[dict[str, Any]] = st.sampled_from(
    [
        {},
        {"@context": None},
        {"created": None},
        {"cryptosuite": "eddsa-rdfc-2022"},
        {"cryptosuite": "ecdsa-jcs-2019"},
        {"cryptosuite": ["eddsa-jcs-2022"]},
        {"cryptosuite": {"a": 1}},
        {"type": ["DataIntegrityProof"]},
        {"proofPurpose": ["assertionMethod"]},
        {"proofPurpose": "authentication"},
        {"proofPurpose": "https://w3id.org/security#assertionMethod"},
        {"created": "2024-05-01"},
        {"proofValue": 7},
        {"verificationMethod": "relative#key"},
        {"verificationMethod": {"id": "https://de.example/actor#key-1"}},
        {"id": "https://de.example/proofs/1"},
        {"type": "Ed25519Signature2020"},
        {"@context": CONTEXT[:2]},
        {"nonce": "abc"},
        {"proofValue": None},
    ]
)


def proof_with(changes: dict[str, Any]) -> dict[str, Any]:
    proof = {**GOOD_PROOF, **changes}
    return {key: value for key, value in proof.items() if value is not None}


PROOFS = PROOF_CHANGES.map(proof_with) | st.lists(
    PROOF_CHANGES.map(proof_with), min_size=1, max_size=2
)
# An embedded object may repeat the canonical context (as a signed object must); any
# other context there is pyld's.
NESTED_CONTEXTS = sometimes(st.just(CONTEXT), st.sampled_from([CONTEXT[:2], CONTEXT[0]]))


def node_strategy(nodes: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        node: dict[str, Any] = {}
        if not draw(st.integers(0, 3)):
            node["@context"] = draw(NESTED_CONTEXTS)
        if draw(st.booleans()):
            node["id"] = draw(IRIS)
        if draw(st.integers(0, 5)):
            node["type"] = draw(sometimes(st.sampled_from(sorted(_CLASSES)), TEXT | st.lists(TEXT)))
        for name in draw(st.lists(st.sampled_from(PROPERTY_NAMES), max_size=4, unique=True)):
            node[name] = draw(value_for(name, nodes))
        if not draw(st.integers(0, 4)):
            node["proof"] = draw(PROOFS)
        if not draw(st.integers(0, 15)):
            node[draw(OTHER_KEYS)] = draw(TEXT)
        return node

    return build()


NODES = st.recursive(
    st.builds(lambda iri: {"id": iri, "type": "Person"}, IRIS),
    node_strategy,
    max_leaves=6,
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    body = draw(node_strategy(NODES))
    body.pop("@context", None)  # the top one is drawn here
    context: Any = CONTEXT
    if not draw(st.integers(0, 15)):
        context = draw(
            st.sampled_from(
                [CONTEXT[:2], [*CONTEXT, {"x": "cs:x"}], CONTEXT[0], list(reversed(CONTEXT))]
            )
        )
    return {"@context": context, **body}


def pyld(document: dict[str, Any]) -> dict[str, Any] | str:
    try:
        return normalize_with_pyld(document)
    except JsonLdError as error:
        return f"refused: {type(error).__name__}"


def fast_path(document: dict[str, Any]) -> dict[str, Any] | str | None:
    """What normalize() answers when the fast path takes the document (None if not)."""
    fast = fast_normalize(document)
    if fast is None:
        return None
    try:
        check_compacted(fast)
    except JsonLdError as error:
        return f"refused: {type(error).__name__}"
    return fast


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_the_fast_path_agrees_with_pyld(document: dict[str, Any]) -> None:
    try:
        check_document(document)
    except JsonLdError:
        return
    fast = fast_path(document)
    if fast is not None:
        assert fast == pyld(document)


def test_the_generated_documents_often_take_the_fast_path() -> None:
    """Guard against the property above passing because nothing takes the fast path."""
    taken = signed = 0

    @settings(max_examples=200, deadline=None, database=None)
    @given(documents())
    def count(document: dict[str, Any]) -> None:
        nonlocal taken, signed
        fast = fast_normalize(document)
        taken += fast is not None
        # Proofs (and the contexts they repeat) are compared too, not only declined.
        signed += fast is not None and '"proof"' in json.dumps(fast)

    count()
    assert taken >= 40
    assert signed >= 3


CASE_ACTIVITY: dict[str, Any] = {
    "@context": CONTEXT,
    "id": "https://de.example/activities/1",
    "type": "Create",
    "actor": "https://de.example/members/a",
    "published": "2024-05-01T10:00:00Z",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "object": {
        "id": "https://de.example/cases/1",
        "type": "Case",
        "attributedTo": {
            "id": "https://de.example/members/a",
            "type": "Person",
            "name": "Dr. Remote",
            "specialty": ["pediatrics"],
            "country": "DE",
            "attestation": {"type": "Attestation", "verifiedBy": "https://de.example/actor"},
        },
        "anonymous": False,
        "nameMap": {"en": "Toddler with recurrent fevers"},
        "contentMap": {"en": "Three-year-old with fevers every 4 weeks."},
        "clinicalQuestion": "PFAPA?",
        "specialty": ["pediatrics", "infectious-diseases"],
        "caseStatus": "open",
        "published": "2024-05-01T10:00:00Z",
    },
}


def test_a_node_s_own_activity_takes_the_fast_path_and_means_the_same() -> None:
    fast = fast_normalize(CASE_ACTIVITY)
    assert fast is not None
    assert fast == normalize_with_pyld(CASE_ACTIVITY)
    assert fast["to"] == "as:Public"


def test_a_relayed_reply_with_its_proof_takes_the_fast_path_and_means_the_same() -> None:
    """The origin relays a reply as its author's node signed it: the Note repeats the
    context and carries a proof (see federation/proofs)."""
    note = {
        "@context": CONTEXT,
        "id": "https://de.example/replies/1",
        "type": "Note",
        "attributedTo": {
            "id": "https://de.example/pseudonyms/anon-1",
            "type": "Pseudonym",
            "name": "anon-1",
            "specialty": ["pediatrics"],
            "country": "DE",
            "attestation": {"type": "Attestation", "verifiedBy": "https://de.example/actor"},
        },
        "anonymous": True,
        "content": "Consider MEFV genetics.",
        "inReplyTo": "https://us.example/cases/1",
        "thread": "https://us.example/cases/1",
        "published": "2024-05-01T10:00:00Z",
        "proof": GOOD_PROOF,
    }
    relayed = {
        "@context": CONTEXT,
        "id": "https://us.example/activities/9",
        "type": "Announce",
        "actor": "https://us.example/actor",
        "object": note,
        "position": 1,
    }
    fast = fast_normalize(relayed)
    assert fast is not None
    assert fast == normalize_with_pyld(relayed)
    assert "@context" not in fast["object"] and "@context" not in fast["object"]["proof"]
    assert fast["object"]["proof"]["proofValue"] == GOOD_PROOF["proofValue"]


@pytest.mark.parametrize(
    "changes",
    [
        {"@context": [*CONTEXT, "https://w3id.org/security/v1"]},
        {"cs:anonymous": True},
        {"proof": {"type": "DataIntegrityProof"}},
        {"proof": proof_with({"proofPurpose": "authentication"})},
        {"proof": [GOOD_PROOF, GOOD_PROOF]},
        {"proof": proof_with({"cryptosuite": ["eddsa-jcs-2022"]})},
        {"object": {**CASE_ACTIVITY["object"], "@context": CONTEXT[:2]}},
        {"object": None},
        {"published": "2024-05-01"},
    ],
)
def test_anything_unusual_goes_through_pyld(changes: dict[str, Any]) -> None:
    document = {**CASE_ACTIVITY, **changes}
    assert fast_normalize(document) is None
    # normalize() still answers exactly as pyld does, errors included.
    try:
        expected: Any = normalize_with_pyld(document)
    except JsonLdError as error:
        with pytest.raises(type(error)):
            normalize(document)
    else:
        assert normalize(document) == expected


def test_fast_path_results_are_still_checked_against_the_term_rules() -> None:
    document = {**CASE_ACTIVITY, "object": {**CASE_ACTIVITY["object"], "specialty": ["Not A Slug"]}}
    assert fast_normalize(document) is not None
    with pytest.raises(JsonLdError):
        normalize(document)


def test_every_fast_path_term_is_in_the_canonical_context() -> None:
    assert set(_PROPERTIES) | _CLASSES <= set(_DEFINITIONS)
