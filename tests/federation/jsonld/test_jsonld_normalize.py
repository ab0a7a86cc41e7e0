"""normalize() gives handlers one shape, whatever spelling the sender used."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from federation.jsonld import (
    CANONICAL_CONTEXT,
    CONTEXT_URLS,
    PUBLIC_COLLECTION,
    contexts,
    id_of,
    normalize,
)

AS = "https://www.w3.org/ns/activitystreams#"
CS = "https://w3id.org/curbside/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORIGIN = "https://fr.curbside.example"


def canonical_create() -> dict[str, Any]:
    """A typical outgoing Create of a Case, as Curbside itself writes it."""
    return {
        "@context": list(CANONICAL_CONTEXT),
        "id": f"{ORIGIN}/activities/1",
        "type": "Create",
        "actor": f"{ORIGIN}/pseudonyms/p1",
        "published": "2026-01-02T03:04:05Z",
        "to": PUBLIC_COLLECTION,
        "cc": f"{ORIGIN}/followers",
        "object": {
            "id": f"{ORIGIN}/cases/1",
            "type": ["Note", "Case"],
            "attributedTo": f"{ORIGIN}/pseudonyms/p1",
            "contentMap": {"fr": "<p>Patiente de 45 ans…</p>"},
            "published": "2026-01-02T03:04:05Z",
            "clinicalQuestion": "Next step?",
            "ageBand": "40-49",
            "sex": "female",
            "specialty": ["cardiology", "internal-medicine"],
            "anonymous": True,
            "viewCount": 12,
            "thread": f"{ORIGIN}/cases/1",
        },
    }


def test_canonical_document_is_a_fixed_point() -> None:
    document = canonical_create()
    normalized = normalize(document)
    assert normalized == document
    assert normalize(normalized) == normalized


def test_input_is_not_modified() -> None:
    document = canonical_create()
    document["@context"] = [*CANONICAL_CONTEXT, {"q": "cs:clinicalQuestion"}]
    before = copy.deepcopy(document)
    normalize(document)
    assert document == before


def _prefixed_spelling() -> dict[str, Any]:
    """The same Create written with prefixes and value objects only."""
    return {
        "@context": [
            "http://www.w3.org/ns/activitystreams",
            {"cs": CS, "xsd": XSD},
        ],
        "id": f"{ORIGIN}/activities/1",
        "type": "Create",
        "actor": {"id": f"{ORIGIN}/pseudonyms/p1"},
        "published": "2026-01-02T03:04:05Z",
        "to": [f"{AS}Public"],
        "cc": [f"{ORIGIN}/followers"],
        "object": {
            "id": f"{ORIGIN}/cases/1",
            "type": ["Note", "cs:Case"],
            "attributedTo": f"{ORIGIN}/pseudonyms/p1",
            "content": {"@value": "<p>Patiente de 45 ans…</p>", "@language": "fr"},
            "published": "2026-01-02T03:04:05Z",
            "cs:clinicalQuestion": "Next step?",
            "cs:ageBand": "40-49",
            "cs:sex": ["female"],
            "cs:specialty": ["cardiology", "internal-medicine"],
            "cs:anonymous": {"@value": True, "@type": "xsd:boolean"},
            "cs:viewCount": {"@value": 12, "@type": "xsd:integer"},
            "cs:thread": {"@id": f"{ORIGIN}/cases/1"},
        },
    }


def _iri_spelling() -> dict[str, Any]:
    """The same Create with full IRIs and aliased keywords, no prefixes at all."""
    return {
        "@context": {"ident": "@id", "kind": "@type"},
        "ident": f"{ORIGIN}/activities/1",
        "kind": f"{AS}Create",
        f"{AS}actor": {"ident": f"{ORIGIN}/pseudonyms/p1"},
        f"{AS}published": {"@value": "2026-01-02T03:04:05Z", "@type": f"{XSD}dateTime"},
        f"{AS}to": {"ident": f"{AS}Public"},
        f"{AS}cc": {"ident": f"{ORIGIN}/followers"},
        f"{AS}object": {
            "ident": f"{ORIGIN}/cases/1",
            "kind": [f"{AS}Note", f"{CS}Case"],
            f"{AS}attributedTo": {"ident": f"{ORIGIN}/pseudonyms/p1"},
            f"{AS}content": {"@value": "<p>Patiente de 45 ans…</p>", "@language": "fr"},
            f"{AS}published": {"@value": "2026-01-02T03:04:05Z", "@type": f"{XSD}dateTime"},
            f"{CS}clinicalQuestion": "Next step?",
            f"{CS}ageBand": "40-49",
            f"{CS}sex": "female",
            f"{CS}specialty": ["cardiology", "internal-medicine"],
            f"{CS}anonymous": {"@value": True, "@type": f"{XSD}boolean"},
            f"{CS}viewCount": {"@value": 12, "@type": f"{XSD}integer"},
            f"{CS}thread": {"ident": f"{ORIGIN}/cases/1"},
        },
    }


def _redefined_spelling() -> dict[str, Any]:
    """Canonical contexts plus a sender's own aliases for the same IRIs."""
    document = canonical_create()
    document["@context"] = [
        "https://www.w3.org/ns/activitystreams.jsonld",
        "http://w3id.org/security/data-integrity/v2",
        "https://w3id.org/curbside/v1.jsonld",
        {"question": "cs:clinicalQuestion", "fields": {"@id": "cs:specialty"}},
    ]
    case = document["object"]
    case["question"] = case.pop("clinicalQuestion")
    case["fields"] = case.pop("specialty")
    return document


@pytest.mark.parametrize("spelling", [_prefixed_spelling, _iri_spelling, _redefined_spelling])
def test_other_spellings_normalize_to_the_canonical_shape(spelling: Any) -> None:
    assert normalize(spelling()) == canonical_create()


@pytest.mark.parametrize("public", ["as:Public", f"{AS}Public", {"id": f"{AS}Public"}])
def test_public_collection_has_one_spelling(public: Any) -> None:
    document = {"@context": list(CANONICAL_CONTEXT), "type": "Note", "to": public}
    assert normalize(document)["to"] == PUBLIC_COLLECTION


def test_single_specialty_becomes_a_list() -> None:
    document = {"@context": list(CANONICAL_CONTEXT), "type": "Case", "specialty": "oncology"}
    assert normalize(document)["specialty"] == ["oncology"]


def test_activitystreams_audience_keeps_its_meaning() -> None:
    # Curbside defines no "audience" of its own (a case's audience never travels:
    # node-only cases stay home), so the ActivityStreams property is untouched.
    document = {
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "type": "Note",
        "audience": "https://lemmy.example/c/medicine",
    }
    normalized = normalize(document)
    assert id_of(normalized["audience"]) == "https://lemmy.example/c/medicine"


def test_unknown_properties_survive() -> None:
    document = {
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            {"toot": "http://joinmastodon.org/ns#", "tootIndexable": "toot:indexable"},
        ],
        "type": "Question",
        "emojiReactions": 3,
        "tootIndexable": 4,
    }
    normalized = normalize(document)
    # No context defines emojiReactions: ActivityStreams' "@vocab": "_:" keeps the
    # bare name, and Mastodon's IRI comes out in full.
    assert normalized["emojiReactions"] == 3
    assert normalized["http://joinmastodon.org/ns#indexable"] == 4


def test_future_curbside_terms_are_kept_with_their_prefix() -> None:
    document = {"@context": list(CANONICAL_CONTEXT), "type": "Case", "cs:triageLevel": "urgent"}
    assert normalize(document)["cs:triageLevel"] == "urgent"


def test_a_proof_survives_normalization() -> None:
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": "2026-01-02T03:04:05Z",
        "verificationMethod": f"{ORIGIN}/actor#ed25519-key",
        "proofPurpose": "assertionMethod",
        "proofValue": "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9i"
        "seabecm3ijx4K1FBTQsCZahKZme",
    }
    document = {**canonical_create()["object"], "@context": list(CANONICAL_CONTEXT), "proof": proof}
    assert normalize(document)["proof"] == proof


def test_bundled_contexts_are_processed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # pyld's resolved-context cache is what makes normalize() affordable;
    # this checks our loader's documents actually land in it.
    calls: list[str] = []
    real_loader = contexts.load_bundled_document

    def counting_loader(url: str, options: Any = None) -> dict[str, Any]:
        calls.append(url)
        return real_loader(url, options)

    monkeypatch.setattr(contexts, "load_bundled_document", counting_loader)
    normalize(canonical_create())
    calls.clear()
    for _ in range(3):
        normalize(canonical_create())
    assert calls == []


def test_every_accepted_context_url_loads() -> None:
    for url, canonical in CONTEXT_URLS.items():
        remote = contexts.load_bundled_document(url, {})
        assert remote["documentUrl"] == canonical
        assert "@context" in remote["document"]
    assert {
        "https://www.w3.org/ns/activitystreams",
        "http://www.w3.org/ns/activitystreams",
        "https://www.w3.org/ns/activitystreams.jsonld",
        "https://w3id.org/security/v1",
        "http://w3id.org/security/v1",
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/curbside/v1",
    } <= CONTEXT_URLS.keys()


def test_loaded_documents_are_fresh_copies() -> None:
    first = contexts.bundled_context("https://w3id.org/curbside/v1")
    first["@context"]["anonymous"] = "https://evil.example/anonymous"
    second = contexts.bundled_context("https://w3id.org/curbside/v1")
    assert second["@context"]["anonymous"] == {"@id": "cs:anonymous", "@type": "xsd:boolean"}
