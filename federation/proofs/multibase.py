"""Multibase (base58btc) and Multikey encodings for Ed25519.

Data Integrity proofs carry the signature as a multibase string, and the key
that verifies it is published as a Multikey (``publicKeyMultibase``), as in
the W3C Controlled Identifiers spec and FEP-8b32.
"""

from __future__ import annotations

from typing import Final

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import MalformedKeyError

BASE58BTC_PREFIX: Final = "z"

#: Multicodec varint for an Ed25519 public key (0xed), as Multikey uses it.
ED25519_PUBLIC_KEY_CODEC: Final = b"\xed\x01"


def encode_base58btc(data: bytes) -> str:
    """Bytes as a base58btc multibase string (``z...``)."""
    return BASE58BTC_PREFIX + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: object) -> bytes:
    """The bytes of a base58btc multibase string; ValueError if it is not one."""
    if not isinstance(value, str) or not value.startswith(BASE58BTC_PREFIX):
        raise ValueError(f"{value!r:.80} is not a base58btc multibase string (must start with z)")
    # b58decode raises ValueError on a character outside the alphabet.
    return base58.b58decode(value[len(BASE58BTC_PREFIX) :])


def public_key_to_multikey(key: Ed25519PublicKey) -> str:
    """``publicKeyMultibase`` for ``key``: ``z6Mk...``."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return encode_base58btc(ED25519_PUBLIC_KEY_CODEC + raw)


def public_key_from_multikey(value: object) -> Ed25519PublicKey:
    """The Ed25519 key in a ``publicKeyMultibase`` value."""
    try:
        data = decode_base58btc(value)
    except ValueError as exc:
        raise MalformedKeyError(f"publicKeyMultibase: {exc}") from exc
    if not data.startswith(ED25519_PUBLIC_KEY_CODEC) or len(data) != 34:
        raise MalformedKeyError(
            "publicKeyMultibase is not an Ed25519 Multikey (expected 0xed01 and 32 bytes)"
        )
    return Ed25519PublicKey.from_public_bytes(data[len(ED25519_PUBLIC_KEY_CODEC) :])
