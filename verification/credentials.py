"""A member's verified status as a W3C Verifiable Credential (data model 2.0) that the
issuing node signs with a Data Integrity proof (eddsa-jcs-2022, the node's Ed25519
key), so any node can check it offline against the issuer's key.

The credential names the physician, specialty and country and when the node verified
them — never the licence number, email or internal id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from federation.proofs import ProofError, add_proof, verify_proof

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CURBSIDE_CONTEXT = "https://w3id.org/curbside/v1"
CREDENTIAL_TYPE = "PhysicianCredential"


class CredentialError(ValueError):
    """The document is not a valid credential of ours; the message says why."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def issue_credential(
    *,
    credential_id: str,
    issuer: str,
    issuer_name: str,
    subject: str,
    name: str,
    specialty: str,
    country: str,
    verified_since: datetime,
    valid_from: datetime,
    valid_until: datetime,
    private_key: Ed25519PrivateKey,
    key_id: str,
) -> dict[str, Any]:
    credential = {
        "@context": [VC_CONTEXT, CURBSIDE_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": {"id": issuer, "name": issuer_name},
        "validFrom": _iso(valid_from),
        "validUntil": _iso(valid_until),
        "credentialSubject": {
            "id": subject,
            "name": name,
            "specialty": [specialty],
            "country": country,
            "verifiedSince": _iso(verified_since),
        },
    }
    return add_proof(
        credential, private_key=private_key, verification_method=key_id, created=valid_from
    )


@dataclass(frozen=True)
class CheckedCredential:
    issuer: str
    subject: str
    name: str
    specialty: str
    country: str
    valid_until: datetime


def _parse_time(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise CredentialError(f"{field} is missing")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CredentialError(f"{field} is not a date-time") from None
    if moment.tzinfo is None:
        raise CredentialError(f"{field} needs a time zone")
    return moment


def check_credential(
    credential: Any,
    *,
    resolve_key: Callable[[str], Ed25519PublicKey | None],
    now: datetime | None = None,
) -> CheckedCredential:
    """Verify the proof and the validity period; the proof's key must be the issuer's."""
    if not isinstance(credential, dict):
        raise CredentialError("a credential is a JSON object")
    types = credential.get("type")
    if (
        not isinstance(types, list)
        or CREDENTIAL_TYPE not in types
        or "VerifiableCredential" not in types
    ):
        raise CredentialError(f"not a {CREDENTIAL_TYPE}")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = credential.get("credentialSubject")
    if not isinstance(issuer_id, str) or not isinstance(subject, dict):
        raise CredentialError("issuer or credentialSubject missing")
    proof = credential.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str) or not method.startswith(issuer_id + "#"):
        raise CredentialError("the proof is not made with a key of the issuer")
    try:
        verify_proof(credential, resolve_key=resolve_key)
    except ProofError as error:
        raise CredentialError(f"the proof does not verify: {error}") from None
    now = now or datetime.now(UTC)
    valid_from = _parse_time(credential.get("validFrom"), "validFrom")
    valid_until = _parse_time(credential.get("validUntil"), "validUntil")
    if not valid_from <= now < valid_until:
        raise CredentialError("the credential is outside its validity period")
    specialty = subject.get("specialty")
    return CheckedCredential(
        issuer=issuer_id,
        subject=str(subject.get("id", "")),
        name=str(subject.get("name", "")),
        specialty=specialty[0] if isinstance(specialty, list) and specialty else "",
        country=str(subject.get("country", "")),
        valid_until=valid_until,
    )
