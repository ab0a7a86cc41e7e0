"""The node's Ed25519 signing key: created at ``init``, read at start, never logged.

The private key is a PKCS#8 PEM file readable by the node's user only (0600), in a
folder only that user can enter (0700). Nothing here puts key material in an error
message or a repr.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_KEY_FILE = "node-ed25519.pem"


class KeyFileError(RuntimeError):
    """The key file is missing, unreadable, too widely readable, or not an Ed25519 key."""


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """``SHA256:<base64>`` of the SubjectPublicKeyInfo, as operators compare it."""
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(spki).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class NodeKey:
    private_key: Ed25519PrivateKey = field(repr=False)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def create_key(keys_dir: Path) -> NodeKey:
    """Generate a key and write it; refuses to overwrite an existing key file."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: never clobber a key peers already trust; mode applied at creation so
    # the key is never readable by others, not even for an instant.
    fd = os.open(keys_dir / PRIVATE_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return NodeKey(private_key)


def load_key(keys_dir: Path) -> NodeKey:
    path = keys_dir / PRIVATE_KEY_FILE
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"cannot read the node key {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"the node key {path} is readable by others; run chmod 600 on it")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError:
        raise KeyFileError(f"{path} does not hold a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 key")
    return NodeKey(key)
