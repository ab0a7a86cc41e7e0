"""Key rotation statements: how a peer learns a node's new key without trusting DNS.

When a node rotates its key it publishes, on its actor, a statement "key A is replaced
by key B" carrying a data-integrity proof made with key A. A peer that trusts A and
meets a signature by B refetches the actor and accepts B only if a chain of such
statements leads from the key it trusts to B; anyone who can merely answer for the
node's domain (a hijacked DNS record, a misissued certificate) cannot make one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from federation.jsonld import CURBSIDE_V1, DATA_INTEGRITY_V2
from federation.proofs import ProofError, add_proof, verify_proof
from federation.proofs.multibase import public_key_from_multikey, public_key_to_multikey

MAX_CHAIN = 16
STATEMENT_TYPE = "KeyRotation"


class RotationError(ValueError):
    """No valid chain of rotation statements leads from the trusted key to the new one."""


def rotation_statement(
    *,
    old_key: Ed25519PrivateKey,
    old_key_id: str,
    new_key_id: str,
    new_public_key: Ed25519PublicKey,
    created: datetime | None = None,
) -> dict[str, Any]:
    statement = {
        "@context": [DATA_INTEGRITY_V2, CURBSIDE_V1],
        "type": STATEMENT_TYPE,
        "previousKey": old_key_id,
        "previousKeyMultibase": public_key_to_multikey(old_key.public_key()),
        "newKey": new_key_id,
        "newKeyMultibase": public_key_to_multikey(new_public_key),
    }
    return add_proof(
        statement, private_key=old_key, verification_method=old_key_id, created=created
    )


def _only(key_id: str, key: Ed25519PublicKey) -> Callable[[str], Ed25519PublicKey | None]:
    """A proof key resolver that knows exactly one key."""
    return lambda method: key if method == key_id else None


def follow_rotations(
    *,
    trusted_key_id: str,
    trusted_key: Ed25519PublicKey,
    statements: Iterable[dict[str, Any]],
    target_key_id: str,
) -> Ed25519PublicKey:
    """The public key of ``target_key_id``, if a signed chain leads there from the
    trusted key; otherwise RotationError."""
    by_previous: dict[str, dict[str, Any]] = {}
    for statement in statements:
        previous = statement.get("previousKey")
        if statement.get("type") == STATEMENT_TYPE and isinstance(previous, str):
            by_previous.setdefault(previous, statement)
    current_id, current_key = trusted_key_id, trusted_key
    for _ in range(MAX_CHAIN):
        if current_id == target_key_id:
            return current_key
        step = by_previous.get(current_id)
        if step is None:
            raise RotationError(f"no rotation statement from {current_id}")
        try:
            verify_proof(step, resolve_key=_only(current_id, current_key))
            next_id = step["newKey"]
            next_key = public_key_from_multikey(step["newKeyMultibase"])
        except (ProofError, KeyError, ValueError) as error:
            raise RotationError(
                f"the rotation statement from {current_id} is invalid: {error}"
            ) from None
        if not isinstance(next_id, str):
            raise RotationError(f"the rotation statement from {current_id} names no new key")
        current_id, current_key = next_id, next_key
    raise RotationError("the rotation chain is too long")


def historical_keys(
    *, current_key_id: str, current_key: Ed25519PublicKey, statements: Iterable[dict[str, Any]]
) -> dict[str, Ed25519PublicKey]:
    """Every key the node has used, walking back from its current key.

    Objects signed before a rotation (say a reply relayed long ago, read by a node
    that joins today) carry proofs by a retired key. A retired key counts only if an
    unbroken chain of statements, each signed by the older key, leads from it to the
    current key; statements that do not link up are ignored.
    """
    by_new: dict[str, dict[str, Any]] = {}
    for statement in statements:
        new = statement.get("newKey")
        if statement.get("type") == STATEMENT_TYPE and isinstance(new, str):
            by_new.setdefault(new, statement)
    keys = {current_key_id: current_key}
    key_id, key = current_key_id, current_key
    for _ in range(MAX_CHAIN):
        step = by_new.get(key_id)
        if step is None:
            break
        try:
            previous_id = step["previousKey"]
            previous_key = public_key_from_multikey(step["previousKeyMultibase"])
            if public_key_from_multikey(step["newKeyMultibase"]) != key:
                break
            verify_proof(step, resolve_key=_only(previous_id, previous_key))
        except (ProofError, KeyError, ValueError, TypeError):
            break
        if not isinstance(previous_id, str) or previous_id in keys:
            break
        keys[previous_id] = previous_key
        key_id, key = previous_id, previous_key
    return keys
