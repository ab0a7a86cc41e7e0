"""Properties over arbitrary JSON: sign/verify round-trips, any change breaks it."""

from __future__ import annotations

import copy
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from federation.proofs import ProofError, add_proof, verify_proof

KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
METHOD = "https://node.example/actor#key"

# I-JSON, which is what JCS canonicalizes: integers within 2**53, finite floats.
SAFE = 2**53 - 1
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-SAFE, SAFE),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=30,
)
json_objects = st.dictionaries(
    st.text(max_size=8).filter(lambda key: key != "proof"), json_values, max_size=8
)


def resolve(method: str) -> Ed25519PublicKey | None:
    return KEY.public_key() if method == METHOD else None


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position in ``value`` that a single change could touch."""
    paths = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            paths.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths.extend(_paths(item, (*prefix, index)))
    return paths


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> None:
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new


@settings(max_examples=150, deadline=None)
@given(json_objects)
def test_sign_then_verify_roundtrips(document: dict[str, Any]) -> None:
    signed = add_proof(document, private_key=KEY, verification_method=METHOD)
    verified = verify_proof(signed, resolve_key=resolve)
    assert rfc8785.dumps(verified.document) == rfc8785.dumps(document)


@settings(max_examples=200, deadline=None)
@given(json_objects, st.data())
def test_any_single_change_breaks_the_proof(document: dict[str, Any], data: st.DataObject) -> None:
    signed = add_proof(document, private_key=KEY, verification_method=METHOD)
    # Any position in the document or in the proof options, but not the
    # whole document and not proofValue (its own tests cover it).
    paths = [path for path in _paths(signed) if path and path != ("proof", "proofValue")]
    path = data.draw(st.sampled_from(paths))
    tampered = copy.deepcopy(signed)
    _replace(tampered, path, data.draw(json_values))
    # 1 and 1.0, or 0.0 and -0.0, are the same JSON number: not a change.
    assume(rfc8785.dumps(tampered) != rfc8785.dumps(signed))
    try:
        verify_proof(tampered, resolve_key=resolve)
    except ProofError:
        return
    raise AssertionError(f"tampering at {path!r} was not detected")


@settings(max_examples=100, deadline=None)
@given(json_objects, st.text(max_size=8).filter(lambda key: key != "proof"), json_values)
def test_adding_a_field_breaks_the_proof(document: dict[str, Any], key: str, value: Any) -> None:
    assume(key not in document)
    signed = add_proof(document, private_key=KEY, verification_method=METHOD)
    signed[key] = value
    try:
        verify_proof(signed, resolve_key=resolve)
    except ProofError:
        return
    raise AssertionError(f"added field {key!r} was not detected")
