"""Fixtures for the signature tests: published vectors, keys, the Node.js peer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = Path(__file__).parent
VECTORS = HERE / "vectors"
INTEROP = HERE / "interop"
IN_CI = os.environ.get("CI", "").lower() == "true"

Peer = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="session")
def vectors() -> Callable[[str], dict[str, Any]]:
    """Load ``vectors/<name>.json`` (each file cites its source)."""

    def load(name: str) -> dict[str, Any]:
        return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))

    return load


@pytest.fixture(scope="session")
def ed25519_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def other_ed25519_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def private_pem() -> Callable[[Ed25519PrivateKey | rsa.RSAPrivateKey], str]:
    """PKCS#8 PEM of a private key, for handing it to the Node.js peer."""

    def encode(key: Ed25519PrivateKey | rsa.RSAPrivateKey) -> str:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    return encode


def _peer_installed() -> bool:
    # npm ci writes node_modules/.package-lock.json; an older one than the
    # committed lock means the lock changed since the last install.
    marker = INTEROP / "node_modules" / ".package-lock.json"
    lock = INTEROP / "package-lock.json"
    return marker.is_file() and marker.stat().st_mtime >= lock.stat().st_mtime


@pytest.fixture(scope="session")
def node_peer() -> Peer:
    """Run ``interop/peer.mjs`` (independent npm implementations) per request.

    Installs the locked npm packages on first use. Without Node.js or npm the
    interop tests skip on a laptop and fail in CI, where they must run.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = "Node.js and npm are needed for the signature interop peer"
        if IN_CI:
            pytest.fail(f"{message} (CI=true, so this is a failure, not a skip)")
        pytest.skip(message)
    if not _peer_installed():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=INTEROP,
            check=True,
            capture_output=True,
            timeout=600,
        )

    def call(request: dict[str, Any]) -> dict[str, Any]:
        result = subprocess.run(
            [node, "peer.mjs"],
            cwd=INTEROP,
            input=json.dumps(request).encode("utf-8"),
            capture_output=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"interop peer failed: {result.stderr.decode('utf-8', 'replace')}")
        return json.loads(result.stdout)

    return call
