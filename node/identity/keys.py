"""The node's Ed25519 signing key in its data folder: created at ``init``, read at start.

File handling and formats are ``federation.signatures.keys``; this module adds the
node's policy: where the key lives, that its folder is private, and that a key file
others can read is refused rather than used.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from federation.rotation import rotation_statement
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

    def key_id(self, base_url: str) -> str:
        return key_id_for(base_url, self.public_key)


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


def key_id_for(base_url: str, public_key: Ed25519PublicKey) -> str:
    """The key's IRI on the node actor. Derived from the key itself, so a rotated key
    gets a new id and peers can tell old signatures from new ones."""
    digest = fingerprint(public_key).removeprefix("SHA256:")
    safe = "".join(ch for ch in digest if ch.isalnum())[:16]
    return f"{base_url}/actor#key-{safe}"


ROTATIONS_FILE = "rotations.json"
RETIRED_DIR = "retired"


def load_rotations(keys_dir: Path) -> tuple[dict[str, Any], ...]:
    """The signed rotation statements this node publishes on its actor (oldest first)."""
    path = keys_dir / ROTATIONS_FILE
    if not path.exists():
        return ()
    try:
        statements = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise KeyFileError(f"cannot read {path}: {error}") from None
    if not isinstance(statements, list):
        raise KeyFileError(f"{path} is damaged (not a list)")
    return tuple(statements)


def rotate_key(keys_dir: Path, base_url: str) -> tuple[NodeKey, NodeKey]:
    """Replace the node key; returns (old, new).

    The old key signs a statement naming the new one, which the actor publishes so
    peers can follow the change; then the old key file is moved to ``retired/`` (kept,
    never used again, so an operator can prove what it signed) and the new one takes
    its place. Each step leaves a usable folder if the next one fails.
    """
    old = load_key(keys_dir)
    new_private = generate_private_key()
    new = NodeKey(new_private)
    statement = rotation_statement(
        old_key=old.private_key,
        old_key_id=old.key_id(base_url),
        new_key_id=new.key_id(base_url),
        new_public_key=new.public_key,
    )
    staged = keys_dir / (PRIVATE_KEY_FILE + ".new")
    save_private_key(new_private, staged)
    rotations = [*load_rotations(keys_dir), statement]
    _write_private(keys_dir / ROTATIONS_FILE, json.dumps(rotations, indent=1).encode())
    retired = keys_dir / RETIRED_DIR
    retired.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (keys_dir / PRIVATE_KEY_FILE).replace(retired / f"{stamp}-{PRIVATE_KEY_FILE}")
    staged.replace(keys_dir / PRIVATE_KEY_FILE)
    return old, new


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically (temp file + rename), readable by the node's user only."""
    temp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temp.replace(path)
