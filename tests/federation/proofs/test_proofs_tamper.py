"""Each way a relayed object can be wrong is caught, with its own error."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from federation.jsonld import CANONICAL_CONTEXT, normalize
from federation.proofs import (
    ContextMismatchError,
    ExpiredProofError,
    InvalidSignatureError,
    MalformedKeyError,
    MalformedProofError,
    MalformedProofValueError,
    MissingProofError,
    MultipleProofsError,
    ProofError,
    ProofPurposeError,
    UncanonicalizableError,
    UnknownKeyError,
    UnsupportedProofError,
    add_proof,
    encode_base58btc,
    public_key_from_multikey,
    public_key_to_multikey,
    verify_proof,
)

AUTHOR_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
AUTHOR_METHOD = "https://fr.curbside.example/actor#ed25519-key"
OTHER_METHOD = "https://de.curbside.example/actor#ed25519-key"
CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
KEYS = {AUTHOR_METHOD: AUTHOR_KEY.public_key(), OTHER_METHOD: OTHER_KEY.public_key()}


def resolve(method: str) -> Ed25519PublicKey | None:
    return KEYS.get(method)


def reply() -> dict[str, Any]:
    return {
        "@context": list(CANONICAL_CONTEXT),
        "id": "https://fr.curbside.example/replies/7",
        "type": "Note",
        "attributedTo": "https://fr.curbside.example/members/42",
        "inReplyTo": "https://de.curbside.example/cases/3",
        "contentMap": {"fr": "<p>Pensez à une amylose.</p>"},
        "published": "2026-01-02T03:04:05Z",
        "thread": "https://de.curbside.example/cases/3",
        "specialty": ["cardiology"],
        "anonymous": False,
    }


def signed_reply(**options: Any) -> dict[str, Any]:
    return add_proof(
        reply(),
        private_key=AUTHOR_KEY,
        verification_method=AUTHOR_METHOD,
        created=CREATED,
        **options,
    )


def test_roundtrip_and_normalize_after_verifying() -> None:
    document = signed_reply()
    verified = verify_proof(document, resolve_key=resolve)
    assert verified.verification_method == AUTHOR_METHOD
    assert verified.document == reply()
    # The proof is valid JSON-LD under Curbside's canonical context.
    assert normalize(document)["proof"]["verificationMethod"] == AUTHOR_METHOD


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[key]
        del target[last]

    return mutate


TAMPERING: list[tuple[str, Mutation, type[ProofError]]] = [
    # The document.
    ("changed content", _set("contentMap.fr", "<p>Autre chose.</p>"), InvalidSignatureError),
    ("changed id", _set("id", "https://evil.example/replies/7"), InvalidSignatureError),
    ("flipped boolean", _set("anonymous", True), InvalidSignatureError),
    ("new field", _set("sensitive", True), InvalidSignatureError),
    ("removed field", _delete("inReplyTo"), InvalidSignatureError),
    (
        "reordered context",
        _set("@context", list(reversed(CANONICAL_CONTEXT))),
        ContextMismatchError,
    ),
    ("appended context", _set("@context", [*CANONICAL_CONTEXT, {"x": "y"}]), ContextMismatchError),
    ("removed context", _delete("@context"), ContextMismatchError),
    # The proof options.
    ("changed created", _set("proof.created", "2026-01-02T03:04:06Z"), InvalidSignatureError),
    ("added nonce", _set("proof.nonce", "abc"), InvalidSignatureError),
    ("other known key", _set("proof.verificationMethod", OTHER_METHOD), InvalidSignatureError),
    ("proof context", _set("proof.@context", ["https://evil.example/ctx"]), ContextMismatchError),
    ("unknown key", _set("proof.verificationMethod", "https://x.example/k"), UnknownKeyError),
    ("purpose", _set("proof.proofPurpose", "authentication"), ProofPurposeError),
    ("type", _set("proof.type", "Ed25519Signature2020"), UnsupportedProofError),
    ("cryptosuite", _set("proof.cryptosuite", "eddsa-rdfc-2022"), UnsupportedProofError),
    ("no type", _delete("proof.type"), UnsupportedProofError),
    ("no method", _delete("proof.verificationMethod"), MalformedProofError),
    (
        "method not str",
        _set("proof.verificationMethod", {"id": AUTHOR_METHOD}),
        MalformedProofError,
    ),
    ("no purpose", _delete("proof.proofPurpose"), MalformedProofError),
    ("bad created", _set("proof.created", "yesterday"), MalformedProofError),
    ("naive created", _set("proof.created", "2026-01-02T03:04:05"), MalformedProofError),
    ("expired", _set("proof.expires", "2020-01-01T00:00:00Z"), ExpiredProofError),
    # The proof value.
    ("no value", _delete("proof.proofValue"), MalformedProofError),
    ("not multibase", _set("proof.proofValue", "u" + "A" * 86), MalformedProofValueError),
    ("not base58", _set("proof.proofValue", "z0OIl" + "1" * 80), MalformedProofValueError),
    ("short", _set("proof.proofValue", encode_base58btc(bytes(63))), MalformedProofValueError),
    ("long", _set("proof.proofValue", encode_base58btc(bytes(65))), MalformedProofValueError),
    (
        "zero signature",
        _set("proof.proofValue", encode_base58btc(bytes(64))),
        InvalidSignatureError,
    ),
    # The proof itself.
    ("no proof", _delete("proof"), MissingProofError),
    ("null proof", _set("proof", None), MissingProofError),
    ("empty proof set", _set("proof", []), MissingProofError),
    ("proof string", _set("proof", "z123"), MalformedProofError),
]


@pytest.mark.parametrize(
    ("mutate", "error"),
    [pytest.param(mutate, error, id=name) for name, mutate, error in TAMPERING],
)
def test_tampering_is_caught(mutate: Mutation, error: type[ProofError]) -> None:
    document = signed_reply()
    mutate(document)
    with pytest.raises(error) as caught:
        verify_proof(document, resolve_key=resolve)
    assert str(caught.value)


def test_flipped_signature_bit() -> None:
    document = signed_reply()
    signature = bytearray(AUTHOR_KEY.sign(b"x"))
    signature[0] ^= 1
    document["proof"]["proofValue"] = encode_base58btc(bytes(signature))
    with pytest.raises(InvalidSignatureError, match="changed after signing"):
        verify_proof(document, resolve_key=resolve)


def test_proof_signed_by_another_node_is_not_the_authors() -> None:
    # A relay re-signing the author's reply with its own key under the
    # author's verification method: the key does not match.
    forged = add_proof(
        reply(), private_key=OTHER_KEY, verification_method=AUTHOR_METHOD, created=CREATED
    )
    with pytest.raises(InvalidSignatureError):
        verify_proof(forged, resolve_key=resolve)


def test_proof_sets_are_refused() -> None:
    document = signed_reply()
    document["proof"] = [document["proof"], document["proof"]]
    with pytest.raises(MultipleProofsError, match="2 proofs"):
        verify_proof(document, resolve_key=resolve)
    document["proof"] = document["proof"][:1]
    assert verify_proof(document, resolve_key=resolve).verification_method == AUTHOR_METHOD


def test_other_purposes_can_be_expected() -> None:
    document = signed_reply(proof_purpose="authentication")
    with pytest.raises(ProofPurposeError):
        verify_proof(document, resolve_key=resolve)
    verify_proof(document, resolve_key=resolve, expected_purpose="authentication")


def test_expiry() -> None:
    expires = CREATED + timedelta(days=30)
    document = signed_reply(expires=expires)
    assert document["proof"]["expires"] == "2026-02-01T03:04:05Z"
    verified = verify_proof(document, resolve_key=resolve, now=expires - timedelta(seconds=1))
    assert verified.expires == expires
    with pytest.raises(ExpiredProofError):
        verify_proof(document, resolve_key=resolve, now=expires)


def test_add_proof_refuses_a_document_with_a_proof() -> None:
    with pytest.raises(MultipleProofsError, match="already has a proof"):
        add_proof(signed_reply(), private_key=AUTHOR_KEY, verification_method=AUTHOR_METHOD)


def test_add_proof_needs_aware_times_and_a_method() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_proof(
            reply(),
            private_key=AUTHOR_KEY,
            verification_method=AUTHOR_METHOD,
            created=datetime(2026, 1, 1),
        )
    with pytest.raises(ValueError, match="non-empty"):
        add_proof(reply(), private_key=AUTHOR_KEY, verification_method="")


def test_created_defaults_to_now_in_whole_utc_seconds() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    document = add_proof(reply(), private_key=AUTHOR_KEY, verification_method=AUTHOR_METHOD)
    created = verify_proof(document, resolve_key=resolve).created
    assert created is not None
    assert before <= created <= datetime.now(UTC)
    assert document["proof"]["created"].endswith("Z")


def test_created_in_another_zone_is_written_in_utc() -> None:
    paris = CREATED.astimezone(timezone(timedelta(hours=1)))
    document = add_proof(
        reply(), private_key=AUTHOR_KEY, verification_method=AUTHOR_METHOD, created=paris
    )
    assert document["proof"]["created"] == "2026-01-02T03:04:05Z"


def test_document_without_context_gets_a_proof_without_context() -> None:
    plain = {"id": "https://fr.curbside.example/x", "n": 1}
    document = add_proof(plain, private_key=AUTHOR_KEY, verification_method=AUTHOR_METHOD)
    assert "@context" not in document["proof"]
    verify_proof(document, resolve_key=resolve)


def test_add_proof_does_not_share_state_with_its_input() -> None:
    original = reply()
    document = add_proof(original, private_key=AUTHOR_KEY, verification_method=AUTHOR_METHOD)
    original["specialty"].append("oncology")
    original["@context"].append("https://evil.example/ctx")
    verify_proof(document, resolve_key=resolve)


@pytest.mark.parametrize(
    "value", [2**60, "\ud800", float("nan")], ids=["big-int", "lone-surrogate", "nan"]
)
def test_uncanonicalizable_documents(value: Any) -> None:
    with pytest.raises(UncanonicalizableError):
        add_proof(
            {**reply(), "x": value}, private_key=AUTHOR_KEY, verification_method=AUTHOR_METHOD
        )
    document = signed_reply()
    document["x"] = value
    with pytest.raises(UncanonicalizableError):
        verify_proof(document, resolve_key=resolve)


def test_verify_refuses_non_objects() -> None:
    with pytest.raises(MalformedProofError):
        verify_proof([signed_reply()], resolve_key=resolve)  # type: ignore[arg-type]


def test_multikey_roundtrip_and_errors() -> None:
    encoded = public_key_to_multikey(AUTHOR_KEY.public_key())
    assert encoded.startswith("z6Mk")
    decoded = public_key_from_multikey(encoded)
    assert public_key_to_multikey(decoded) == encoded
    for bad in (
        None,
        "",
        "z",
        "f" + encoded[1:],
        "z0000",
        encode_base58btc(b"\xed\x01" + bytes(31)),
        encode_base58btc(b"\xe7\x01" + bytes(32)),  # secp256k1 codec
    ):
        with pytest.raises(MalformedKeyError):
            public_key_from_multikey(bad)


def test_resolver_exceptions_are_the_callers() -> None:
    # A resolver failing (database down) is not a bad proof: it propagates.
    def broken(method: str) -> Ed25519PublicKey | None:
        raise ConnectionError("database is down")

    with pytest.raises(ConnectionError):
        verify_proof(copy.deepcopy(signed_reply()), resolve_key=broken)
