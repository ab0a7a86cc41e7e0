"""Property tests: whatever a peer sends, reading it fails only with SignatureError."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation.signatures import (
    HttpMessage,
    SignatureError,
    read_signature,
    sign_request,
    sign_request_cavage,
    verify_signature,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
URL = "https://node-b.example/inbox?page=1"
BODY = b'{"type": "Create"}'
# One fixed key keeps examples reproducible; generating one per example would
# also make every failure unshrinkable.
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))

HEADER_NAMES = st.sampled_from(
    ["Signature-Input", "Signature", "Content-Digest", "Digest", "Date", "Host", "Content-Type"]
)
# Fragments of the grammars involved, so that examples get past the first
# character of each parser instead of failing there every time.
FRAGMENTS = (
    *'sig1=()";:,- \t\\*@',
    *("keyId", "signature", "headers", "created", "alg", "keyid", '"@method"', '"content-digest"'),
    *("(request-target)", "sha-256", "SHA-256", "hs2019", "rsa-sha256", "ed25519", "1772366400"),
    *("AAAA", "==", ":", "\x00", "é", "\n"),
)
SYNTAX = st.sampled_from(FRAGMENTS)
STRUCTURED_TEXT = st.lists(SYNTAX, max_size=30).map("".join)
ANY_TEXT = st.text(max_size=200)


def _signed_headers() -> dict[str, str]:
    headers = {"Content-Type": "application/activity+json"}
    headers.update(
        sign_request("POST", URL, headers, BODY, key_id="k", private_key=KEY, created=NOW)
    )
    return headers


def _cavage_headers() -> dict[str, str]:
    return sign_request_cavage(
        "POST", URL, {}, BODY, key_id="k", private_key=KEY, algorithm="hs2019", created=NOW
    )


def _read_and_verify(message: HttpMessage) -> None:
    try:
        claim = read_signature(message, now=NOW)
        verify_signature(claim, message, KEY.public_key())
    except SignatureError as error:
        assert error.status in (400, 401)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    headers=st.dictionaries(HEADER_NAMES, st.one_of(ANY_TEXT, STRUCTURED_TEXT), max_size=7),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    body=st.binary(max_size=64),
)
def test_arbitrary_headers_raise_only_signature_errors(
    headers: dict[str, str], method: str, body: bytes
) -> None:
    _read_and_verify(HttpMessage(method, URL, headers, body))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["Signature-Input", "Signature", "Content-Digest", "Content-Type"]),
    value=st.one_of(ANY_TEXT, STRUCTURED_TEXT),
)
def test_one_corrupted_field_of_a_valid_rfc9421_request(name: str, value: str) -> None:
    headers = _signed_headers()
    headers[name] = value
    _read_and_verify(HttpMessage("POST", URL, headers, BODY))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(min_value=0, max_value=400),
    length=st.integers(min_value=0, max_value=20),
    insert=STRUCTURED_TEXT,
    name=st.sampled_from(["Signature", "Digest", "Date", "Host"]),
)
def test_spliced_cavage_header(start: int, length: int, insert: str, name: str) -> None:
    headers = _cavage_headers()
    original = headers[name]
    headers[name] = original[:start] + insert + original[start + length :]
    _read_and_verify(HttpMessage("POST", URL, headers, BODY))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(min_value=0, max_value=200),
    length=st.integers(min_value=0, max_value=20),
    insert=STRUCTURED_TEXT,
)
def test_spliced_signature_input(start: int, length: int, insert: str) -> None:
    headers = _signed_headers()
    original = headers["Signature-Input"]
    headers["Signature-Input"] = original[:start] + insert + original[start + length :]
    _read_and_verify(HttpMessage("POST", URL, headers, BODY))
