"""Node keys: PEM files, fingerprints, Multikey (W3C vc-di-eddsa vector)."""

from __future__ import annotations

import base64
import hashlib
import re
import stat

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.signatures import keys


def test_private_key_round_trip_with_owner_only_permissions(tmp_path) -> None:
    path = tmp_path / "node-key.pem"
    key = keys.generate_private_key()
    keys.save_private_key(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = keys.load_private_key(path)
    assert keys.public_key_pem(loaded.public_key()) == keys.public_key_pem(key.public_key())


def test_save_never_overwrites_a_key(tmp_path) -> None:
    path = tmp_path / "node-key.pem"
    keys.save_private_key(keys.generate_private_key(), path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        keys.save_private_key(keys.generate_private_key(), path)
    assert path.read_bytes() == before


def test_loading_a_non_ed25519_key_does_not_leak_it(tmp_path, rsa_key) -> None:
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = tmp_path / "rsa.pem"
    path.write_bytes(pem)
    with pytest.raises(keys.KeyFormatError) as caught:
        keys.load_private_key(path)
    secret_line = pem.decode().splitlines()[1]
    assert secret_line not in str(caught.value)
    assert secret_line not in repr(caught.value)


def test_loading_garbage_does_not_leak_it(tmp_path) -> None:
    path = tmp_path / "broken.pem"
    path.write_text(
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldA==\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(keys.KeyFormatError) as caught:
        keys.load_private_key(path)
    assert "c2VjcmV0" not in str(caught.value)


def test_private_key_repr_shows_no_material() -> None:
    key = keys.generate_private_key()
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    assert raw.hex() not in repr(key)
    assert base64.b64encode(raw).decode() not in repr(key)


def test_public_key_pem_round_trip(rsa_key, ed25519_key) -> None:
    for key in (rsa_key.public_key(), ed25519_key.public_key()):
        pem = keys.public_key_pem(key)
        assert pem.startswith("-----BEGIN PUBLIC KEY-----")
        assert keys.public_key_pem(keys.load_public_key_pem(pem)) == pem


@pytest.mark.parametrize(
    "pem", ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"]
)
def test_bad_public_key_pem(pem: str) -> None:
    with pytest.raises(keys.KeyFormatError):
        keys.load_public_key_pem(pem)


def test_rsa_loader_refuses_ed25519(ed25519_key) -> None:
    with pytest.raises(keys.KeyFormatError, match="not RSA"):
        keys.load_rsa_public_key(keys.public_key_pem(ed25519_key.public_key()))


def test_fingerprint_is_sha256_of_the_spki(ed25519_key) -> None:
    public = ed25519_key.public_key()
    value = keys.fingerprint(public)
    assert re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", value)
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    expected = base64.b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
    assert value == "SHA256:" + expected
    assert keys.fingerprint(keys.generate_private_key().public_key()) != value


def test_multikey_matches_the_w3c_vector(vectors) -> None:
    vector = vectors("multikey")
    secret = base58.b58decode(vector["secret_key_multibase"][1:])
    assert secret[:2].hex() == vector["secret_key_multicodec_hex"]
    private = Ed25519PrivateKey.from_private_bytes(secret[2:])
    assert keys.encode_multikey(private.public_key()) == vector["public_key_multibase"]
    decoded = keys.decode_multikey(vector["public_key_multibase"])
    assert keys.public_key_pem(decoded) == keys.public_key_pem(private.public_key())


def test_multikey_round_trip(ed25519_key) -> None:
    encoded = keys.encode_multikey(ed25519_key.public_key())
    assert encoded.startswith("z6Mk")
    assert keys.encode_multikey(keys.decode_multikey(encoded)) == encoded


@pytest.mark.parametrize(
    "value",
    [
        "",
        "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # no multibase prefix
        "uAAAA",  # base64url, not base58btc
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",  # truncated
        "z0OIl",  # not in the base58 alphabet
        "z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc",  # X25519 (0xec01)
        "zé",
    ],
)
def test_bad_multikey(value: str) -> None:
    with pytest.raises(keys.KeyFormatError):
        keys.decode_multikey(value)
