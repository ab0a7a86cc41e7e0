"""Node keys: generation, PEM files, fingerprints and Multikey encoding.

A node signs with one Ed25519 key. Its private half lives in a PEM file only
the node's user can read; nothing here ever puts key material into an
exception message or a repr, because those end up in logs.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import base58
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from federation.signatures.claim import PublicKey

#: Multicodec ``ed25519-pub`` (0xed) as its unsigned-varint prefix.
ED25519_MULTICODEC = b"\xed\x01"
#: RSA keys below this size are refused for peers (NIST SP 800-131A).
MIN_RSA_BITS = 2048


class KeyFormatError(ValueError):
    """A key could not be read. The message never contains the key itself."""


def generate_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key for a node."""
    return Ed25519PrivateKey.generate()


def save_private_key(private_key: Ed25519PrivateKey, path: Path) -> None:
    """Write ``private_key`` as unencrypted PKCS#8 PEM, readable by us only.

    The file is created with ``O_EXCL`` and mode 0600 in one step, so there is
    no moment where it exists with wider permissions, and an existing key is
    never overwritten (``FileExistsError``): losing a node key means every
    peer has to re-approve the node.
    """
    pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read a node's Ed25519 private key from a PEM file."""
    data = path.read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # Chained errors from cryptography describe the format, not the bytes.
        raise KeyFormatError(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFormatError(f"{path} holds a private key that is not Ed25519")
    return key


def public_key_pem(public_key: PublicKey) -> str:
    """The SubjectPublicKeyInfo PEM of a public key (``publicKeyPem``)."""
    return public_key.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    ).decode("ascii")


def load_public_key_pem(pem: str | bytes, *, min_rsa_bits: int = MIN_RSA_BITS) -> PublicKey:
    """Load a peer's Ed25519 or RSA public key from SubjectPublicKeyInfo PEM."""
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFormatError("not a PEM public key") from exc
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, RSAPublicKey):
        if key.key_size < min_rsa_bits:
            raise KeyFormatError(f"RSA key has {key.key_size} bits, fewer than {min_rsa_bits}")
        return key
    raise KeyFormatError("public key is neither Ed25519 nor RSA")


def load_rsa_public_key(pem: str | bytes, *, min_bits: int = MIN_RSA_BITS) -> RSAPublicKey:
    """Load an RSA public key (fediverse actors' ``publicKeyPem``) for cavage."""
    key = load_public_key_pem(pem, min_rsa_bits=min_bits)
    if not isinstance(key, RSAPublicKey):
        raise KeyFormatError("public key is not RSA")
    return key


def fingerprint(public_key: PublicKey) -> str:
    """``SHA256:<unpadded base64 of sha256(SPKI DER)>``, as OpenSSH shows keys.

    Operators compare it out of band when they add a peer.
    """
    der = public_key.public_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    digest = base64.b64encode(hashlib.sha256(der).digest()).decode("ascii")
    return "SHA256:" + digest.rstrip("=")


def encode_multikey(public_key: Ed25519PublicKey) -> str:
    """The Multikey ``publicKeyMultibase`` of an Ed25519 key (``z6Mk...``)."""
    raw = public_key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )
    return "z" + base58.b58encode(ED25519_MULTICODEC + raw).decode("ascii")


def decode_multikey(value: str) -> Ed25519PublicKey:
    """Read an Ed25519 ``publicKeyMultibase`` (base58btc, multicodec 0xed01)."""
    if not value.startswith("z"):
        raise KeyFormatError("publicKeyMultibase must be base58btc ('z' prefix)")
    try:
        decoded = base58.b58decode(value[1:])
    except ValueError as exc:
        raise KeyFormatError("publicKeyMultibase is not valid base58btc") from exc
    if not decoded.startswith(ED25519_MULTICODEC) or len(decoded) != len(ED25519_MULTICODEC) + 32:
        raise KeyFormatError("publicKeyMultibase is not an Ed25519 public key")
    try:
        return Ed25519PublicKey.from_public_bytes(decoded[len(ED25519_MULTICODEC) :])
    except ValueError as exc:
        raise KeyFormatError("publicKeyMultibase is not a valid Ed25519 point") from exc
