"""Unhappy paths for draft-cavage-12 signatures, and the parameter parser."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from federation.signatures import (
    HttpMessage,
    MalformedSignature,
    RejectedSignature,
    SignatureClaim,
    read_signature,
    sign_request_cavage,
    verify_signature,
)
from federation.signatures.cavage_params import parse_parameters

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
URL = "https://node-b.example/users/a/inbox"
BODY = b'{"type": "Follow"}'


def signed(key, *, body: bytes | None = BODY, created: datetime = NOW, **kwargs) -> dict[str, str]:
    return sign_request_cavage(
        "POST" if body is not None else "GET",
        URL,
        {},
        body,
        key_id="https://a.example/actor#main-key",
        private_key=key,
        created=created,
        **kwargs,
    )


def read(headers: Mapping[str, str], *, method: str = "POST", body: bytes = BODY) -> SignatureClaim:
    return read_signature(HttpMessage(method, URL, headers, body), now=NOW)


def with_signature(headers: Mapping[str, str], old: str, new: str) -> dict[str, str]:
    changed = dict(headers)
    assert old in changed["Signature"]
    changed["Signature"] = changed["Signature"].replace(old, new)
    return changed


def test_no_signature_header_is_malformed() -> None:
    with pytest.raises(MalformedSignature, match="no Signature") as caught:
        read({"Host": "node-b.example"})
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "value",
    [
        "",
        "keyId",
        'keyId="a"signature="b"',
        'keyId="unterminated',
        'keyId="a",,signature="b"',
        'keyId="a",',
        'keyId="a",keyId="b",signature="AAAA"',  # §2.2: duplicates MUST NOT be processed
        'keyId="a",KEYID="b",signature="AAAA"',  # names are case-insensitive
        'keyId="a\x01",signature="AAAA"',
        'keyId="a",signature="not base64!"',
        'keyId="a",signature=""',
        'signature="AAAA",headers="date"',
        'keyId="",signature="AAAA"',
    ],
)
def test_garbage_signature_header_is_malformed(rsa_key, value: str) -> None:
    headers = signed(rsa_key)
    headers["Signature"] = value
    with pytest.raises(MalformedSignature):
        read(headers)


@pytest.mark.parametrize("algorithm", ["hmac-sha256", "rsa-sha1", "ecdsa-sha256", "ed25519", "x"])
def test_unknown_algorithm_is_malformed(rsa_key, algorithm: str) -> None:
    headers = with_signature(signed(rsa_key), 'algorithm="rsa-sha256"', f'algorithm="{algorithm}"')
    with pytest.raises(MalformedSignature, match="algorithm"):
        read(headers)


@pytest.mark.parametrize(
    ("covered", "reason"),
    [
        ("host date digest", "request-target"),
        ("(request-target) date digest", "host"),
        ("(request-target) host digest", "date or \\(created\\)"),
        ("(request-target) host date", "digest"),
        ("(request-target) host host date digest", "twice"),
        ("(request-target) (keyid) host date digest", "pseudo-header"),
        ("(request-target) host date digest x-missing", "missing"),
        ("", "empty"),
    ],
)
def test_insufficient_coverage_is_malformed(rsa_key, covered: str, reason: str) -> None:
    headers = with_signature(
        signed(rsa_key), 'headers="(request-target) host date digest"', f'headers="{covered}"'
    )
    with pytest.raises(MalformedSignature, match=reason):
        read(headers)


def test_created_pseudo_header_with_rsa_sha256_is_malformed(rsa_key) -> None:
    headers = with_signature(signed(rsa_key), "headers=", "created=1772366400,headers=")
    headers = with_signature(headers, "(request-target) host", "(request-target) (created) host")
    with pytest.raises(MalformedSignature, match="not allowed"):
        read(headers)


def test_tampered_body_is_rejected(rsa_key) -> None:
    with pytest.raises(RejectedSignature, match="Digest") as caught:
        read(signed(rsa_key), body=b'{"type": "Undo"}')
    assert caught.value.status == 401


@pytest.mark.parametrize(
    ("digest", "error"),
    [
        ("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", RejectedSignature),
        ("SHA-256=not-base64", MalformedSignature),
        ("MD5=rL0Y20zC+Fzt72VPzMSk2A==", MalformedSignature),
        ("SHA-256", MalformedSignature),
    ],
)
def test_wrong_or_unusable_digest(rsa_key, digest: str, error: type[Exception]) -> None:
    headers = signed(rsa_key)
    headers["Digest"] = digest
    with pytest.raises(error):
        read(headers)


@pytest.mark.parametrize(
    ("created", "reason"),
    [
        (NOW - timedelta(seconds=301), "expired"),
        (NOW + timedelta(seconds=61), "future"),
    ],
)
def test_date_outside_the_window_is_rejected(rsa_key, created: datetime, reason: str) -> None:
    with pytest.raises(RejectedSignature, match=reason):
        read(signed(rsa_key, created=created))


def test_hs2019_created_outside_the_window_is_rejected(ed25519_key) -> None:
    # (created) is signed; the Date header is kept fresh to show it is not used alone.
    headers = signed(ed25519_key, algorithm="hs2019", created=NOW - timedelta(minutes=10))
    headers["Date"] = format_datetime(NOW, usegmt=True)
    with pytest.raises(RejectedSignature, match="created"):
        read(headers)


def test_unparsable_date_is_malformed(rsa_key) -> None:
    headers = signed(rsa_key)
    headers["Date"] = "yesterday-ish"
    with pytest.raises(MalformedSignature, match="Date"):
        read(headers)


def test_unsigned_created_parameter_is_ignored(rsa_key) -> None:
    # Anyone can add created=<now> to an old captured signature; only signed
    # times count, so the stale Date still expires it.
    headers = signed(rsa_key, created=NOW - timedelta(hours=1))
    headers = with_signature(headers, "headers=", f"created={int(NOW.timestamp())},headers=")
    with pytest.raises(RejectedSignature, match="expired"):
        read(headers)


def test_tampered_covered_header_is_rejected(rsa_key) -> None:
    headers = signed(rsa_key)
    headers["Date"] = format_datetime(NOW + timedelta(seconds=1), usegmt=True)
    claim = read(headers)
    with pytest.raises(RejectedSignature, match="does not verify") as caught:
        verify_signature(claim, HttpMessage("POST", URL, headers, BODY), rsa_key.public_key())
    assert caught.value.status == 401


def test_line_break_in_a_covered_header_is_malformed(rsa_key) -> None:
    headers = signed(rsa_key)
    headers["Host"] = "node-b.example\ndate: forged"
    with pytest.raises(MalformedSignature, match="line break"):
        read(headers)


def test_wrong_key_is_rejected(rsa_key, other_rsa_key) -> None:
    headers = signed(other_rsa_key)
    with pytest.raises(RejectedSignature, match="does not verify"):
        verify_signature(
            read(headers), HttpMessage("POST", URL, headers, BODY), rsa_key.public_key()
        )


def test_ed25519_key_for_rsa_sha256_is_rejected(rsa_key, ed25519_key) -> None:
    headers = signed(rsa_key)
    message = HttpMessage("POST", URL, headers, BODY)
    with pytest.raises(RejectedSignature, match="key type"):
        verify_signature(read(headers), message, ed25519_key.public_key())


def test_hs2019_with_ed25519_verifies_and_wrong_key_fails(ed25519_key, other_ed25519_key) -> None:
    headers = signed(ed25519_key, algorithm="hs2019")
    message = HttpMessage("POST", URL, headers, BODY)
    claim = read(headers)
    assert claim.algorithm == "hs2019"
    assert claim.covered[:2] == ("(request-target)", "(created)")
    verify_signature(claim, message, ed25519_key.public_key())
    with pytest.raises(RejectedSignature):
        verify_signature(claim, message, other_ed25519_key.public_key())


def test_missing_algorithm_means_hs2019(rsa_key) -> None:
    headers = with_signature(signed(rsa_key), 'algorithm="rsa-sha256",', "")
    claim = read(headers)
    assert claim.algorithm == "hs2019"
    verify_signature(claim, HttpMessage("POST", URL, headers, BODY), rsa_key.public_key())


def test_rsa_sha256_signer_refuses_an_ed25519_key(ed25519_key) -> None:
    with pytest.raises(ValueError, match="RSA"):
        signed(ed25519_key)


def test_parser_accepts_whitespace_case_and_escapes() -> None:
    params = parse_parameters(
        ' keyId = "https://a.example/actor#k" ,\tAlgorithm="rsa-sha256", '
        'created=1402170695,headers="(request-target) date",x="a\\"b",signature="AAAA"'
    )
    assert params == {
        "keyid": "https://a.example/actor#k",
        "algorithm": "rsa-sha256",
        "created": "1402170695",
        "headers": "(request-target) date",
        "x": 'a"b',
        "signature": "AAAA",
    }
