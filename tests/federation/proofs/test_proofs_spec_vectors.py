"""W3C vc-di-eddsa test vectors for eddsa-jcs-2022, reproduced byte for byte.

Values transcribed from the specification's "Representation: eddsa-jcs-2022"
appendix (w3c/vc-di-eddsa, TestVectors/keyPair.json and
TestVectors/eddsa-jcs-2022/*). Nothing here needs the network: JCS does no
JSON-LD processing, so the credentials contexts are never loaded.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

import base58
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from federation.proofs import (
    add_proof,
    decode_base58btc,
    public_key_from_multikey,
    public_key_to_multikey,
    verify_proof,
)

PUBLIC_KEY_MULTIBASE = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
PRIVATE_KEY_MULTIBASE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
VERIFICATION_METHOD = f"did:key:{PUBLIC_KEY_MULTIBASE}#{PUBLIC_KEY_MULTIBASE}"
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]
UNSIGNED: dict[str, Any] = {
    "@context": CONTEXT,
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
PROOF_CONFIG: dict[str, Any] = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-jcs-2022",
    "created": "2023-02-24T23:36:38Z",
    "verificationMethod": VERIFICATION_METHOD,
    "proofPurpose": "assertionMethod",
    "@context": CONTEXT,
}
CANONICAL_DOCUMENT = (
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/'
    'examples/v2"],"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:'
    'abcdefgh"},"description":"A minimum viable example of an Alumni Credential.","id":"urn:uuid:'
    '58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678","name":'
    '"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],"validFrom":'
    '"2023-01-01T00:00:00Z"}'
)
DOCUMENT_HASH = "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
CANONICAL_PROOF_CONFIG = (
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/'
    'examples/v2"],"created":"2023-02-24T23:36:38Z","cryptosuite":"eddsa-jcs-2022","proofPurpose"'
    ':"assertionMethod","type":"DataIntegrityProof","verificationMethod":"did:key:z6MkrJVnaZkeFzdQ'
    'yMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}'
)
PROOF_CONFIG_HASH = "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db"
SIGNATURE_HEX = (
    "407cd12654b33d718ecbb99179a1506daaa849450bf3fc523cce3e1c96f8b803"
    "51da3f253d725c6f00b07c9e5448d50b3ef78012b9ab54255116d069c6dd2808"
)
PROOF_VALUE = (
    "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
)
SIGNED: dict[str, Any] = {**UNSIGNED, "proof": {**PROOF_CONFIG, "proofValue": PROOF_VALUE}}


def spec_private_key() -> Ed25519PrivateKey:
    # A Multikey private key: multicodec 0x8026 (ed25519-priv) then the 32-byte seed.
    raw = base58.b58decode(PRIVATE_KEY_MULTIBASE[1:])
    assert raw[:2] == b"\x80\x26"
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def spec_resolver(method: str) -> Ed25519PublicKey | None:
    if method == VERIFICATION_METHOD:
        return public_key_from_multikey(PUBLIC_KEY_MULTIBASE)
    return None


def test_key_pair_matches_the_published_multikey() -> None:
    assert public_key_to_multikey(spec_private_key().public_key()) == PUBLIC_KEY_MULTIBASE


def test_intermediate_values() -> None:
    assert rfc8785.dumps(UNSIGNED).decode() == CANONICAL_DOCUMENT
    assert hashlib.sha256(CANONICAL_DOCUMENT.encode()).hexdigest() == DOCUMENT_HASH
    assert rfc8785.dumps(PROOF_CONFIG).decode() == CANONICAL_PROOF_CONFIG
    assert hashlib.sha256(CANONICAL_PROOF_CONFIG.encode()).hexdigest() == PROOF_CONFIG_HASH
    assert decode_base58btc(PROOF_VALUE).hex() == SIGNATURE_HEX


def test_add_proof_reproduces_the_signed_vector_byte_for_byte() -> None:
    unsigned = copy.deepcopy(UNSIGNED)
    signed = add_proof(
        unsigned,
        private_key=spec_private_key(),
        verification_method=VERIFICATION_METHOD,
        created=CREATED,
    )
    assert signed["proof"]["proofValue"] == PROOF_VALUE
    assert signed == SIGNED
    assert rfc8785.dumps(signed) == rfc8785.dumps(SIGNED)
    assert unsigned == UNSIGNED  # the input is left alone


def test_verify_proof_accepts_the_signed_vector() -> None:
    verified = verify_proof(copy.deepcopy(SIGNED), resolve_key=spec_resolver)
    assert verified.verification_method == VERIFICATION_METHOD
    assert verified.created == CREATED
    assert verified.expires is None
    assert verified.proof_purpose == "assertionMethod"
    assert verified.cryptosuite == "eddsa-jcs-2022"
    assert verified.document == UNSIGNED
