"""The node secret: 32 random bytes for keyed hashes (pseudonyms), never leaving the node.

Losing it changes every pseudonym this node computes from then on; rotating it on
purpose would do the same, so it has no rotation command.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from node.identity.keys import KeyFileError

SECRET_FILE = "node-secret"  # noqa: S105 - a file name, not a secret
SECRET_BYTES = 32


def create_secret(keys_dir: Path) -> None:
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(keys_dir / SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(SECRET_BYTES))


def load_secret(keys_dir: Path) -> bytes:
    path = keys_dir / SECRET_FILE
    try:
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(f"the node secret {path} is readable by others; run chmod 600 on it")
        data = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"cannot read the node secret {path}: {error.strerror}") from None
    if len(data) != SECRET_BYTES:
        raise KeyFileError(f"the node secret {path} is damaged (wrong length)")
    return data
