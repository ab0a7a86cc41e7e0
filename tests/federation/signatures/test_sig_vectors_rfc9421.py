"""RFC 9421 Appendix B and Content-Digest vectors (see vectors/*.json for sources)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from multidict import CIMultiDict

from federation.signatures import (
    HttpMessage,
    MalformedSignature,
    RejectedSignature,
    read_signature,
    rfc9421,
    sign_request,
    verify_signature,
)
from federation.signatures.digests import (
    make_content_digest,
    make_legacy_digest,
    verify_content_digest,
    verify_legacy_digest,
)
from federation.signatures.keys import load_public_key_pem


def _request(vector: dict[str, Any], *extra: tuple[str, str]) -> HttpMessage:
    request = vector["request"]
    headers = CIMultiDict([*map(tuple, request["headers"]), *extra])
    return HttpMessage(request["method"], request["url"], headers, request["body"].encode())


def _keys(vector: dict[str, Any]) -> tuple[Ed25519PrivateKey, Ed25519PublicKey]:
    key = vector["keys"]["test-key-ed25519"]
    private = load_pem_private_key(key["private_pem"].encode(), password=None)
    public = load_public_key_pem(key["public_pem"])
    assert isinstance(private, Ed25519PrivateKey)
    assert isinstance(public, Ed25519PublicKey)
    return private, public


def test_b26_published_signature_verifies(vectors) -> None:
    vector = vectors("rfc9421")
    b26 = vector["b26"]
    message = _request(
        vector, ("Signature-Input", b26["signature_input"]), ("Signature", b26["signature"])
    )
    _, public = _keys(vector)

    claim = rfc9421.parse(message)
    assert claim.key_id == "test-key-ed25519"
    assert claim.label == "sig-b26"
    assert claim.algorithm is None  # B.2.6 has no alg: the key type decides
    assert claim.created == datetime.fromtimestamp(b26["created"], UTC)
    assert claim.covered == tuple(b26["components"])
    verify_signature(claim, message, public)


def test_b26_is_refused_by_our_coverage_policy(vectors) -> None:
    # B.2.6 covers neither @target-uri nor the body digest of its POST, so a
    # node must not accept it even though it verifies cryptographically.
    vector = vectors("rfc9421")
    b26 = vector["b26"]
    message = _request(
        vector, ("Signature-Input", b26["signature_input"]), ("Signature", b26["signature"])
    )
    now = datetime.fromtimestamp(b26["created"] + 2, UTC)
    with pytest.raises(MalformedSignature, match="@target-uri") as caught:
        read_signature(message, now=now)
    assert caught.value.status == 400


def test_b26_tampered_signature_is_rejected(vectors) -> None:
    vector = vectors("rfc9421")
    b26 = vector["b26"]
    forged = b26["signature"].replace("wqcA", "wqcB")
    message = _request(vector, ("Signature-Input", b26["signature_input"]), ("Signature", forged))
    _, public = _keys(vector)
    with pytest.raises(RejectedSignature):
        verify_signature(rfc9421.parse(message), message, public)


def test_signer_reproduces_b26_byte_for_byte(vectors) -> None:
    vector = vectors("rfc9421")
    b26 = vector["b26"]
    request = vector["request"]
    private, _ = _keys(vector)
    added = rfc9421.sign(
        request["method"],
        request["url"],
        dict(map(tuple, request["headers"])),
        None,
        key_id=b26["key_id"],
        private_key=private,
        created=datetime.fromtimestamp(b26["created"], UTC),
        components=b26["components"],
        label=b26["label"],
        include_alg=False,
    )
    assert added == {"Signature-Input": b26["signature_input"], "Signature": b26["signature"]}


def test_rfc_test_key_signs_a_request_our_policy_accepts(vectors) -> None:
    # The same test request, signed the way nodes sign, passes the full
    # two-step check with "now" pinned to the RFC's timestamp.
    vector = vectors("rfc9421")
    request = vector["request"]
    private, public = _keys(vector)
    created = datetime.fromtimestamp(vector["b26"]["created"], UTC)
    headers = {k: v for k, v in request["headers"] if k != "Content-Digest"}
    body = request["body"].encode()
    added = sign_request(
        "POST",
        request["url"],
        headers,
        body,
        key_id="test-key-ed25519",
        private_key=private,
        created=created,
    )
    assert added["Content-Digest"] == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    assert added["Signature-Input"] == (
        'sig1=("@method" "@target-uri" "content-digest");created=1618884473;'
        'keyid="test-key-ed25519";alg="ed25519"'
    )
    message = HttpMessage("POST", request["url"], {**headers, **added}, body)
    claim = read_signature(message, now=created)
    verify_signature(claim, message, public)


@pytest.mark.parametrize("case", range(4))
def test_published_digests_match_their_bodies(vectors, case: int) -> None:
    vector = vectors("digests")["cases"][case]
    body = vector["body"].encode()
    verify = verify_content_digest if vector["field"] == "Content-Digest" else verify_legacy_digest
    verify(vector["value"], body)
    with pytest.raises(RejectedSignature):
        verify(vector["value"], body + b" ")


def test_our_digests_match_the_published_ones(vectors) -> None:
    ours = vectors("digests")["ours"]
    body = ours["body"].encode()
    assert make_content_digest(body) == ours["value"]
    cavage_headers = dict(map(tuple, vectors("cavage12")["request"]["headers"]))
    assert make_legacy_digest(body) == cavage_headers["Digest"]
