"""The ``eddsa-jcs-2022`` Data Integrity cryptosuite (W3C vc-di-eddsa).

Why this suite: a reply relayed by the thread's origin reaches third nodes
inside the origin's Announce, so the HTTP signature only proves who relayed
it. The author's node adds this proof so every receiver can check the reply
itself. JCS (RFC 8785) signs the JSON as written, with no JSON-LD processing:
nothing a context does can leave a field unsigned, and verifying needs no
context documents at all.

Relays must therefore pass the object on as received (any JSON serialization
of the same values is fine, JCS re-canonicalizes). Verify *before*
:func:`federation.jsonld.normalize`, which changes the shape.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from federation.jsonld import parse_datetime

from .errors import (
    ContextMismatchError,
    ExpiredProofError,
    InvalidSignatureError,
    MalformedProofError,
    MalformedProofValueError,
    MissingProofError,
    MultipleProofsError,
    ProofPurposeError,
    UncanonicalizableError,
    UnknownKeyError,
    UnsupportedProofError,
)
from .multibase import decode_base58btc, encode_base58btc

PROOF_TYPE: Final = "DataIntegrityProof"
CRYPTOSUITE: Final = "eddsa-jcs-2022"
ED25519_SIGNATURE_LENGTH: Final = 64

KeyResolver = Callable[[str], Ed25519PublicKey | None]


@dataclass(frozen=True, slots=True)
class VerifiedProof:
    """What a valid proof tells us.

    ``verification_method`` is only as trustworthy as the resolver that
    turned it into a key: callers must still check that it belongs to the
    node the object claims to come from (same origin as the object's id).
    ``document`` is the object without its proof, exactly what was signed.
    """

    verification_method: str
    created: datetime | None
    expires: datetime | None
    proof_purpose: str
    cryptosuite: str
    document: dict[str, Any]


def _canonical(value: Any, what: str) -> bytes:
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise UncanonicalizableError(f"cannot canonicalize the {what}: {exc}") from exc
    except UnicodeEncodeError as exc:
        # A lone surrogate (legal in a JSON escape, not in UTF-8).
        raise UncanonicalizableError(f"the {what} is not valid Unicode: {exc}") from exc


def _hash_data(proof_options: Mapping[str, Any], unsecured: Mapping[str, Any]) -> bytes:
    """SHA-256(JCS(proof options)) || SHA-256(JCS(document)), as the suite defines."""
    proof_hash = hashlib.sha256(_canonical(proof_options, "proof options")).digest()
    document_hash = hashlib.sha256(_canonical(unsecured, "document")).digest()
    return proof_hash + document_hash


def _format_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("proof times must be timezone-aware datetimes")
    # Whole seconds in UTC with "Z": the form the spec's examples use, and the
    # one every implementation parses.
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def add_proof(
    document: Mapping[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | None = None,
    proof_purpose: str = "assertionMethod",
    expires: datetime | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with an ``eddsa-jcs-2022`` proof added.

    ``created`` defaults to now; it and ``expires`` (optional, e.g. for an
    attestation that must be renewed) are written in whole UTC seconds. If the
    document has an ``@context``, the proof repeats it (the spec's rule, so
    the context is covered by the proof options as well as the document).
    """
    if "proof" in document:
        raise MultipleProofsError("document already has a proof; proof sets are not supported")
    if not verification_method or not proof_purpose:
        raise ValueError("verification_method and proof_purpose must be non-empty")
    unsecured = copy.deepcopy(dict(document))
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _format_datetime(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if expires is not None:
        proof["expires"] = _format_datetime(expires)
    if "@context" in unsecured:
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    signature = private_key.sign(_hash_data(proof, unsecured))
    proof["proofValue"] = encode_base58btc(signature)
    return {**unsecured, "proof": proof}


def _single_proof(document: Mapping[str, Any]) -> dict[str, Any]:
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) > 1:
            raise MultipleProofsError(f"document has {len(proof)} proofs; expected one")
        proof = proof[0] if proof else None
    if proof is None:
        raise MissingProofError("document has no proof")
    if not isinstance(proof, dict):
        raise MalformedProofError(f"proof must be an object, got {type(proof).__name__}")
    return proof


def _required_string(proof: Mapping[str, Any], name: str) -> str:
    value = proof.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedProofError(f"proof.{name} must be a non-empty string, got {value!r:.80}")
    return value


def _optional_datetime(proof: Mapping[str, Any], name: str) -> datetime | None:
    if name not in proof:
        return None
    try:
        return parse_datetime(proof[name])
    except ValueError as exc:
        raise MalformedProofError(f"proof.{name}: {exc}") from exc


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def verify_proof(
    document: Mapping[str, Any],
    *,
    resolve_key: KeyResolver,
    expected_purpose: str = "assertionMethod",
    now: datetime | None = None,
) -> VerifiedProof:
    """Check the ``eddsa-jcs-2022`` proof on ``document``; raise ProofError if it fails.

    ``resolve_key`` maps the proof's ``verificationMethod`` to a public key,
    or ``None`` if it names no key we trust. ``now`` is for tests.
    """
    if not isinstance(document, Mapping):
        raise MalformedProofError(f"document must be an object, got {type(document).__name__}")
    proof = _single_proof(document)
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise UnsupportedProofError(
            f"unsupported proof type {proof.get('type')!r:.60} / cryptosuite "
            f"{proof.get('cryptosuite')!r:.60}; expected {PROOF_TYPE} / {CRYPTOSUITE}"
        )
    verification_method = _required_string(proof, "verificationMethod")
    purpose = _required_string(proof, "proofPurpose")
    if purpose != expected_purpose:
        raise ProofPurposeError(f"proof is for {purpose!r:.60}, expected {expected_purpose!r}")
    created = _optional_datetime(proof, "created")
    expires = _optional_datetime(proof, "expires")
    if expires is not None and expires <= (now or datetime.now(UTC)):
        raise ExpiredProofError(f"proof expired at {proof['expires']}")
    try:
        signature = decode_base58btc(_required_string(proof, "proofValue"))
    except ValueError as exc:
        raise MalformedProofValueError(f"proof.proofValue: {exc}") from exc
    if len(signature) != ED25519_SIGNATURE_LENGTH:
        raise MalformedProofValueError(
            f"proof.proofValue holds {len(signature)} bytes, an Ed25519 signature has 64"
        )

    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in proof_options:
        # The spec lets the document's @context *extend* the proof's (for proof
        # chains) and then verifies against the proof's. We have no chains, and
        # an appended context could re-map signed terms for anyone reading the
        # document with JSON-LD, so we require the two to be equal.
        signed = _as_list(proof_options["@context"])
        if "@context" not in unsecured or _as_list(unsecured["@context"]) != signed:
            raise ContextMismatchError("document @context differs from the one the proof signed")
        unsecured["@context"] = proof_options["@context"]

    public_key = resolve_key(verification_method)
    if public_key is None:
        raise UnknownKeyError(f"no known key for verificationMethod {verification_method!r:.200}")
    try:
        public_key.verify(signature, _hash_data(proof_options, unsecured))
    except InvalidSignature as exc:
        raise InvalidSignatureError(
            f"signature by {verification_method!r:.200} does not match: the document or its "
            "proof options changed after signing, or the key is not the signer's"
        ) from exc
    return VerifiedProof(
        verification_method=verification_method,
        created=created,
        expires=expires,
        proof_purpose=purpose,
        cryptosuite=CRYPTOSUITE,
        document=copy.deepcopy(unsecured),
    )
