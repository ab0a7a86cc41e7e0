"""Every way a document can be unacceptable ends in a precise JsonLdError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation.jsonld import (
    CANONICAL_CONTEXT,
    DocumentShapeError,
    InvalidContextError,
    InvalidIriError,
    InvalidValueError,
    JsonLdError,
    LimitExceededError,
    Limits,
    normalize,
)

CTX = list(CANONICAL_CONTEXT)


def doc(**fields: Any) -> dict[str, Any]:
    return {"@context": CTX, "id": "https://a.example/cases/1", "type": "Case", **fields}


@pytest.mark.parametrize("document", [[], "{}", None, 5, [doc()]])
def test_document_must_be_an_object(document: Any) -> None:
    with pytest.raises(DocumentShapeError, match="must be a JSON object"):
        normalize(document)


@pytest.mark.parametrize(
    "value",
    [(1, 2), {1, 2}, b"bytes", float("nan"), float("inf"), object()],
    ids=["tuple", "set", "bytes", "nan", "inf", "object"],
)
def test_only_plain_json_values(value: Any) -> None:
    with pytest.raises(DocumentShapeError):
        normalize(doc(content=value))


def test_object_keys_must_be_strings() -> None:
    with pytest.raises(DocumentShapeError, match="not a string"):
        normalize({**doc(), 1: "x"})


def nested(depth: int) -> dict[str, Any]:
    """A document whose containers nest exactly ``depth`` levels."""
    inner: dict[str, Any] = {"type": "Note"}
    for _ in range(depth - 1):
        inner = {"type": "Note", "attachment": inner}
    return {"@context": CTX, **inner}


def test_depth_limit() -> None:
    normalize(nested(32))
    with pytest.raises(LimitExceededError, match="deeper than 32"):
        normalize(nested(33))


def test_node_limit_counts_values_and_keys() -> None:
    normalize(doc(tag=[{"type": "Hashtag", "name": "#x"}] * 100))
    with pytest.raises(LimitExceededError, match="more than 10000"):
        normalize(doc(tag=["https://a.example/t"] * 10_000))
    with pytest.raises(LimitExceededError, match="more than 50"):
        normalize(doc(tag=[{"name": "x", "type": "Hashtag"}] * 10), limits=Limits(max_nodes=50))


def test_string_limit_applies_to_values_and_keys() -> None:
    limits = Limits(max_string_length=1_000)
    normalize(doc(content="x" * 1_000), limits=limits)
    with pytest.raises(LimitExceededError, match="longer than 1000"):
        normalize(doc(content="x" * 1_001), limits=limits)
    with pytest.raises(LimitExceededError, match="longer than 1000"):
        normalize({**doc(), "k" * 1_001: "x"}, limits=limits)


def _proof(n: int) -> dict[str, Any]:
    return {"type": "DataIntegrityProof", "proofPurpose": "assertionMethod", "proofValue": f"z{n}"}


def test_objects_using_scoped_contexts_are_bounded() -> None:
    # pyld re-processes a scoped context for each object using it (~3 ms
    # each): the count is capped so a document cannot cost seconds.
    limits = Limits(max_scoped_objects=2)
    normalize(
        doc(attachment=[{"type": "Note", "proof": _proof(i)} for i in range(2)]), limits=limits
    )
    with pytest.raises(LimitExceededError, match="more than 2 objects using a scoped context"):
        normalize(
            doc(attachment=[{"type": "Note", "proof": _proof(i)} for i in range(3)]), limits=limits
        )
    # Aliasing the type keyword does not dodge the count.
    aliased = {"@context": [*CTX, {"kind": "@type"}], "kind": "Note", "proof": [_proof(1)] * 3}
    with pytest.raises(LimitExceededError):
        normalize(aliased, limits=limits)


def test_senders_may_not_define_scoped_contexts() -> None:
    scoped = {"Case2": {"@id": "cs:Case", "@context": {"q": "cs:clinicalQuestion"}}}
    with pytest.raises(InvalidContextError, match="scoped contexts"):
        normalize({"@context": [*CTX, scoped], "type": "Case2", "q": "x"})
    # Plain inline term definitions remain fine.
    plain = {"@context": [*CTX, {"q": "cs:clinicalQuestion"}], "type": "Case", "q": "x"}
    assert normalize(plain)["clinicalQuestion"] == "x"


@pytest.mark.parametrize(
    "document",
    [
        {"@context": 5},
        {"@context": [*CTX, {"x": {"@id": 3}}]},
        {"@context": [*CTX, {"@version": 2}]},
        {"@context": [*CTX, {"@id": "https://a.example/id"}]},
        {"@context": [*CTX, {"x": {"@id": "cs:x", "@container": "@bogus"}}]},
        # Data Integrity terms are @protected: redefining one is refused.
        {"@context": [*CTX, {"proof": "https://evil.example/proof"}]},
        # Valid JSON-LD that pyld 3.3 cannot process; refused, not crashed on.
        {"@context": [*CTX, {"@language": None}]},
    ],
    ids=[
        "not-an-object",
        "non-string-id",
        "bad-version",
        "keyword-redefinition",
        "bad-container",
        "protected-term",
        "pyld-language-null",
    ],
)
def test_malformed_contexts(document: dict[str, Any]) -> None:
    with pytest.raises(InvalidContextError):
        normalize({**document, "type": "Note", "name": "x"})


@pytest.mark.parametrize(
    "fields",
    [
        {"id": 5},
        {"id": "relative/path"},
        {"id": "https://a.example/a b"},
        {"id": "https://a.example/<script>"},
        {"inReplyTo": "relative"},
        {"attributedTo": {"id": "no-scheme"}},
        {"thread": "../cases/2"},
        # An absolute IRI whose scheme is one of our prefixes is ambiguous.
        {"@context": ["https://www.w3.org/ns/activitystreams"], "cs:note": "x"},
    ],
)
def test_invalid_iris(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidIriError):
        normalize(doc(**fields))


def test_blank_node_ids_are_allowed() -> None:
    assert normalize(doc(attachment={"id": "_:b0", "type": "Document"}))["attachment"]["id"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"anonymous": "yes"}, "anonymous: xsd:boolean must be true or false, got 'yes'"),
        ({"anonymous": 1}, "anonymous: xsd:boolean must be true or false"),
        ({"anonymous": [True, False]}, "anonymous takes one value, got 2"),
        ({"viewCount": "3"}, "viewCount: xsd:integer must be a JSON integer"),
        ({"viewCount": True}, "viewCount: xsd:integer must be a JSON integer"),
        ({"viewCount": 1.5}, "viewCount: xsd:integer must be a JSON integer"),
        ({"helpfulCount": -1}, "helpfulCount must be a count, got -1"),
        ({"specialty": ["Cardiology"]}, "specialty must be lowercase slugs"),
        ({"specialty": ["internal medicine"]}, "specialty must be lowercase slugs"),
        ({"specialty": [3]}, "specialty must be lowercase slugs"),
        ({"clinicalQuestion": 3}, "clinicalQuestion must be a text, got 3"),
        ({"clinicalQuestion": ["a", "b"]}, "clinicalQuestion takes one value"),
        ({"verifiedSince": "yesterday"}, "verifiedSince: 'yesterday' is not a date-time"),
        ({"verifiedSince": "2026-01-01T00:00:00"}, "not a date-time with a UTC offset"),
        ({"verifiedSince": 1767225600}, "verifiedSince: 1767225600 is not a date-time"),
        ({"published": "2026-02-30T00:00:00Z"}, "published: day is out of range"),
        ({"thread": 5}, "cs:thread holds a value that does not fit the definition of 'thread'"),
        ({"inReplyTo": 5}, "does not fit the definition of 'inReplyTo'"),
        ({"proof": 3}, "proof: a graph may only hold objects"),
        ({"name": {"@value": 3, "@type": "https://a.example/t"}}, "name: a https://a."),
        ({"content": {"@value": "x", "@language": 5}}, "(invalid language-tagged"),
        ({"content": {"@value": {"a": 1}}}, "(invalid value object value)"),
        ({"content": {"@value": "x", "@type": 3}}, "(invalid type value)"),
    ],
)
def test_wrong_typed_values(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        normalize(doc(**fields))
    assert message in str(caught.value)


def test_prefixed_native_boolean_is_refused_with_the_term_name() -> None:
    # "cs:anonymous": true is plausible RDF but does not match our typed term;
    # refusing it loudly beats handlers silently missing "anonymous".
    document = {
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            {"cs": "https://w3id.org/curbside/ns#"},
        ],
        "type": "Note",
        "cs:anonymous": True,
    }
    with pytest.raises(InvalidValueError, match="definition of 'anonymous'"):
        normalize(document)


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"@context": CTX},
        {"@context": CTX, "id": "https://a.example/only-an-id"},
        {"@context": CTX, "@graph": [{"type": "Note"}, {"type": "Note"}]},
        {"@context": CTX, "@value": 1},
    ],
)
def test_exactly_one_top_level_object(document: dict[str, Any]) -> None:
    with pytest.raises(DocumentShapeError, match="exactly one top-level object"):
        normalize(document)


def test_all_errors_are_value_errors() -> None:
    for cls in (DocumentShapeError, LimitExceededError, InvalidContextError, InvalidIriError):
        assert issubclass(cls, JsonLdError)
        assert issubclass(cls, ValueError)


_KEYS = st.sampled_from(
    [
        "@context", "@id", "@type", "@value", "@list", "@set", "@graph", "@language",
        "@reverse", "@index", "@nest", "@included", "@vocab", "@base", "@container",
        "@protected", "@import", "@direction", "@prefix", "id", "type", "object", "to",
        "content", "contentMap", "anonymous", "specialty", "viewCount", "proof",
        "published", "inReplyTo", "cs:anonymous", "x",
    ]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(
        [
            "",
            "x",
            "@id",
            "@json",
            "@vocab",
            "@list",
            "@graph",
            "https://a.example/x",
            "_:b0",
            "as:Public",
            "xsd:boolean",
            "cs:x",
            "en",
            "rtl",
            "@none",
            "relative",
            CTX[0],
        ]
    ),
    st.text(max_size=4),
)
_VALUES = st.recursive(
    _SCALARS | st.just(CTX),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::UserWarning")
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_arbitrary_input_gives_a_result_or_a_jsonld_error(document: dict[str, Any]) -> None:
    # Found by fuzzing: pyld raises bare ValueError and KeyError on some
    # inputs. normalize() must turn every failure into a JsonLdError.
    try:
        result = normalize(document)
    except JsonLdError:
        return
    assert isinstance(result, dict)
