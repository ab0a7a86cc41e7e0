"""The node's Ed25519 signing key in its data folder: created at ``init``, read at start.

File handling and formats are ``federation.signatures.keys``; this module adds the
node's policy: where the key lives, that its folder is private, and that a key file
others can read is refused rather than used.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from federation.signatures.keys import (
    KeyFormatError,
    fingerprint,
    generate_private_key,
    load_private_key,
    public_key_pem,
    save_private_key,
)

PRIVATE_KEY_FILE = "node-ed25519.pem"


class KeyFileError(RuntimeError):
    """The key file is missing, unreadable, too widely readable, or not an Ed25519 key."""


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
        return public_key_pem(self.public_key)


def create_key(keys_dir: Path) -> NodeKey:
    """Generate a key and write it; refuses to overwrite an existing key file."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_key = generate_private_key()
    save_private_key(private_key, keys_dir / PRIVATE_KEY_FILE)
    return NodeKey(private_key)


def load_key(keys_dir: Path) -> NodeKey:
    path = keys_dir / PRIVATE_KEY_FILE
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise KeyFileError(f"cannot read the node key {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"the node key {path} is readable by others; run chmod 600 on it")
    try:
        return NodeKey(load_private_key(path))
    except OSError as error:
        raise KeyFileError(f"cannot read the node key {path}: {error.strerror}") from None
    except KeyFormatError as error:
        raise KeyFileError(str(error)) from None
