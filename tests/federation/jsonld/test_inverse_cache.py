"""pyld's inverse contexts are reused across documents, and that changes no result.

A reply relayed with its author node's proof carries a type-scoped context, for which
pyld built two inverse contexts per document (most of the 10 ms it took to normalize
one). The cache keys them by what they are made of; these tests hold it to giving
exactly what pyld alone gives.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from pyld import jsonld  # type: ignore[import-untyped]

from federation.jsonld import CANONICAL_CONTEXT, PUBLIC_COLLECTION, inverse_cache
from federation.proofs import add_proof
from federation.signatures.keys import generate_private_key

importlib.import_module("federation.jsonld.normalize")
normalize_module = sys.modules["federation.jsonld.normalize"]

ORIGIN = "https://de.curbside.example"
KEY = generate_private_key()


def relayed_reply(n: int, *, anonymous: bool) -> dict[str, Any]:
    """An Announce of a reply with its author node's proof, as an origin relays it."""
    author: dict[str, Any] = {
        "id": f"{ORIGIN}/pseudonyms/anon-{n}" if anonymous else f"{ORIGIN}/members/{n}",
        "type": "Pseudonym" if anonymous else "Person",
        "specialty": ["pediatrics"],
        "country": "DE",
    }
    note = add_proof(
        {
            "@context": list(CANONICAL_CONTEXT),
            "id": f"{ORIGIN}/replies/{n}",
            "type": "Note",
            "attributedTo": author,
            "anonymous": anonymous,
            "content": f"Reply {n}: consider MEFV genetics.",
            "inReplyTo": "https://us.curbside.example/cases/1",
            "published": "2026-11-26T10:00:00Z",
        },
        private_key=KEY,
        verification_method=f"{ORIGIN}/actor#key-1",
    )
    return {
        "@context": list(CANONICAL_CONTEXT),
        "id": f"https://us.curbside.example/activities/{n}",
        "type": "Announce",
        "actor": "https://us.curbside.example/actor",
        "to": PUBLIC_COLLECTION,
        "object": note,
        "position": n,
    }


def uncached(document: Any) -> Any:
    """Normalize with pyld's own inverse-context building (and its own cache only)."""
    cached = jsonld.JsonLdProcessor._get_inverse_context
    jsonld.JsonLdProcessor._get_inverse_context = cached.uncached
    try:
        return normalize_module.normalize_with_pyld(document)
    finally:
        jsonld.JsonLdProcessor._get_inverse_context = cached


def test_the_cache_is_installed_in_pyld() -> None:
    # A pyld upgrade that renames the method would silently lose the cache: fail here.
    assert getattr(jsonld.JsonLdProcessor._get_inverse_context, "curbside_cached", False)


def test_documents_with_proofs_normalize_as_pyld_alone_does() -> None:
    documents = [relayed_reply(n, anonymous=n % 2 == 0) for n in range(6)]
    for document in documents:
        assert normalize_module.normalize_with_pyld(document) == uncached(document)


def test_a_second_document_reuses_the_inverse_contexts_of_the_first() -> None:
    normalize_module.normalize_with_pyld(relayed_reply(100, anonymous=True))
    before = inverse_cache.stats()
    result = normalize_module.normalize_with_pyld(relayed_reply(101, anonymous=True))
    after = inverse_cache.stats()
    assert after["misses"] == before["misses"], "nothing rebuilt"
    assert after["hits"] > before["hits"]
    assert result["object"]["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert "@context" not in result["object"]


def test_contexts_that_differ_in_a_definition_do_not_share_an_inverse() -> None:
    # Compacting one document with two contexts that define "score" differently gives
    # two different results; with the cache, each must still be pyld's own.
    score = "https://example.org/score"
    document = [{score: [{"@value": 12, "@type": XSD_INTEGER}]}]
    typed = {"score": {"@id": score, "@type": XSD_INTEGER}}
    untyped = {"score": {"@id": score}}
    options = {"documentLoader": _no_loading}
    cached = jsonld.JsonLdProcessor._get_inverse_context
    expected = {}
    try:
        jsonld.JsonLdProcessor._get_inverse_context = cached.uncached
        for name, context in (("typed", typed), ("untyped", untyped)):
            expected[name] = jsonld.compact(document, context, options)
    finally:
        jsonld.JsonLdProcessor._get_inverse_context = cached
    assert expected["typed"] != expected["untyped"]
    for _ in range(2):
        for name, context in (("typed", typed), ("untyped", untyped)):
            assert jsonld.compact(document, context, options) == expected[name]


XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _no_loading(url: str, options: Any = None) -> Any:
    raise AssertionError(f"nothing is fetched: {url}")
