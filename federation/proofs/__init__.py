"""Object integrity proofs: W3C Data Integrity with ``eddsa-jcs-2022``.

The author's node signs an object with :func:`add_proof`; any node that gets
the object, directly or relayed, checks it with :func:`verify_proof`.
"""

from __future__ import annotations

from .eddsa_jcs import (
    CRYPTOSUITE,
    PROOF_TYPE,
    KeyResolver,
    VerifiedProof,
    add_proof,
    verify_proof,
)
from .errors import (
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
)
from .multibase import (
    decode_base58btc,
    encode_base58btc,
    public_key_from_multikey,
    public_key_to_multikey,
)

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "ContextMismatchError",
    "ExpiredProofError",
    "InvalidSignatureError",
    "KeyResolver",
    "MalformedKeyError",
    "MalformedProofError",
    "MalformedProofValueError",
    "MissingProofError",
    "MultipleProofsError",
    "ProofError",
    "ProofPurposeError",
    "UncanonicalizableError",
    "UnknownKeyError",
    "UnsupportedProofError",
    "VerifiedProof",
    "add_proof",
    "decode_base58btc",
    "encode_base58btc",
    "public_key_from_multikey",
    "public_key_to_multikey",
    "verify_proof",
]
