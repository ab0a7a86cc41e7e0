"""draft-cavage-http-signatures-12 Appendix C vectors (see vectors/cavage12.json)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from federation.signatures import (
    HttpMessage,
    MalformedSignature,
    RejectedSignature,
    cavage,
    read_signature,
    sign_request_cavage,
    verify_signature,
)
from federation.signatures.keys import KeyFormatError, load_rsa_public_key


def _message(vector: dict[str, Any], signature: str | None) -> HttpMessage:
    request = vector["request"]
    headers = dict(map(tuple, request["headers"]))
    if signature is not None:
        headers["Signature"] = signature
    return HttpMessage(request["method"], request["url"], headers, request["body"].encode())


def _public_key(vector: dict[str, Any]) -> RSAPublicKey:
    # The draft's key has 1024 bits; peers' keys must have 2048 (see keys.py).
    return load_rsa_public_key(vector["key"]["public_pem"], min_bits=1024)


def _now(vector: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(vector["request"]["now"])


def test_the_draft_key_is_too_small_for_real_peers(vectors) -> None:
    with pytest.raises(KeyFormatError, match="1024 bits"):
        load_rsa_public_key(vectors("cavage12")["key"]["public_pem"])


@pytest.mark.parametrize("case", ["c1", "c2", "c3"])
def test_published_signing_string_and_signature_verify(vectors, case: str) -> None:
    vector = vectors("cavage12")
    message = _message(vector, vector[case]["signature_header"])
    claim = cavage.parse(message)
    assert claim.key_id == "Test"
    assert claim.algorithm == "rsa-sha256"
    built = cavage.signing_string(message, claim.covered, dict(claim.parameters))
    assert built == vector[case]["signing_string"]
    verify_signature(claim, message, _public_key(vector))


def test_c1_default_headers_are_date_only(vectors) -> None:
    vector = vectors("cavage12")
    claim = cavage.parse(_message(vector, vector["c1"]["signature_header"]))
    assert claim.covered == ("date",)


@pytest.mark.parametrize(
    ("case", "reason"),
    [("c1", "request-target"), ("c2", "digest")],
)
def test_weaker_vectors_fail_our_coverage_policy(vectors, case: str, reason: str) -> None:
    # C.1 signs only the date and C.2 leaves the POST body unsigned: both
    # verify, but neither proves what was sent where, so nodes refuse them.
    vector = vectors("cavage12")
    message = _message(vector, vector[case]["signature_header"])
    with pytest.raises(MalformedSignature, match=reason):
        read_signature(message, now=_now(vector))


def test_c3_passes_the_full_two_step_check(vectors) -> None:
    vector = vectors("cavage12")
    message = _message(vector, vector["c3"]["signature_header"])
    claim = read_signature(message, now=_now(vector))
    assert claim.scheme == "cavage"
    assert claim.created == _now(vector)  # from the signed Date header
    verify_signature(claim, message, _public_key(vector))


def test_c3_with_a_tampered_body_is_rejected(vectors) -> None:
    vector = vectors("cavage12")
    request = vector["request"]
    headers = dict(map(tuple, request["headers"]))
    headers["Signature"] = vector["c3"]["signature_header"]
    message = HttpMessage("POST", request["url"], headers, b'{"hello": "w0rld"}')
    with pytest.raises(RejectedSignature, match="Digest") as caught:
        read_signature(message, now=_now(vector))
    assert caught.value.status == 401


def test_c3_as_printed_is_malformed(vectors) -> None:
    # -12 prints (created)/(expires) with rsa-sha256, which its §2.3 forbids.
    vector = vectors("cavage12")
    message = _message(vector, vector["c3_as_printed"]["signature_header"])
    with pytest.raises(MalformedSignature, match="rsa-sha256"):
        read_signature(message, now=_now(vector))


def test_signer_reproduces_c2_byte_for_byte(vectors) -> None:
    vector = vectors("cavage12")
    request = vector["request"]
    private = load_pem_private_key(vector["key"]["private_pem"].encode(), password=None)
    assert isinstance(private, RSAPrivateKey)
    added = sign_request_cavage(
        request["method"],
        request["url"],
        dict(map(tuple, request["headers"])),
        None,  # C.2 does not sign the body
        key_id="Test",
        private_key=private,
        created=_now(vector),
    )
    assert added == {"Signature": vector["c2"]["signature_header"]}
