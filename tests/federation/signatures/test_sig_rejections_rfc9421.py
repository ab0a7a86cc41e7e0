"""Unhappy paths for RFC 9421 signatures: each failure has its class and status."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from multidict import CIMultiDict

from federation.signatures import (
    ClockWindow,
    HttpMessage,
    MalformedSignature,
    RejectedSignature,
    SignatureClaim,
    read_signature,
    rfc9421,
    sign_request,
    verify_signature,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
URL = "https://node-b.example/inbox"
BODY = b'{"type": "Create"}'
HEADERS = {"Content-Type": "application/activity+json"}


def signed(
    key: Ed25519PrivateKey,
    *,
    method: str = "POST",
    body: bytes | None = BODY,
    created: datetime = NOW,
) -> dict[str, str]:
    return {
        **HEADERS,
        **sign_request(method, URL, HEADERS, body, key_id="k", private_key=key, created=created),
    }


def message(headers: Mapping[str, str], *, method: str = "POST", body: bytes = BODY) -> HttpMessage:
    return HttpMessage(method, URL, headers, body)


def read(headers: Mapping[str, str], *, method: str = "POST", body: bytes = BODY) -> SignatureClaim:
    return read_signature(message(headers, method=method, body=body), now=NOW)


def malformed(headers: Mapping[str, str], match: str, *, body: bytes = BODY) -> None:
    with pytest.raises(MalformedSignature, match=match) as caught:
        read(headers, body=body)
    assert caught.value.status == 400


def rejected_on_read(headers: Mapping[str, str], match: str, *, body: bytes = BODY) -> None:
    with pytest.raises(RejectedSignature, match=match) as caught:
        read(headers, body=body)
    assert caught.value.status == 401


def with_input(headers: Mapping[str, str], old: str, new: str) -> dict[str, str]:
    changed = dict(headers)
    assert old in changed["Signature-Input"]
    changed["Signature-Input"] = changed["Signature-Input"].replace(old, new)
    return changed


# -- missing and garbage headers -----------------------------------------------


def test_unsigned_request_is_malformed() -> None:
    malformed(HEADERS, "no Signature")


def test_signature_input_without_signature_is_malformed(ed25519_key) -> None:
    headers = signed(ed25519_key)
    del headers["Signature"]
    malformed(headers, "no Signature header")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Signature-Input", "sig1=((("),
        ("Signature-Input", 'sig1="@method"'),  # an item, not an inner list
        ("Signature-Input", "sig1=(@method);created=1"),  # tokens, not strings
        ("Signature-Input", 'sig1=("@Method");created=1;keyid="k"'),
        ("Signature-Input", 'sig1=("@method" "@method");created=1;keyid="k"'),
        ("Signature-Input", ""),
        ("Signature-Input", 'sig1=("@method");créé=1'),
        ("Signature", "sig1=notbytes"),
        ("Signature", "sig1=::"),
        ("Signature", "sig1=:!!!:"),
    ],
)
def test_garbage_structured_fields_are_malformed(ed25519_key, field: str, value: str) -> None:
    headers = signed(ed25519_key)
    headers[field] = value
    with pytest.raises(MalformedSignature):
        read(headers)


def test_label_mismatch_is_malformed(ed25519_key) -> None:
    headers = signed(ed25519_key)
    headers["Signature"] = headers["Signature"].replace("sig1=", "sig2=")
    malformed(headers, "different labels")


# -- labels: exactly one signature ---------------------------------------------


def test_duplicate_label_in_one_field_is_malformed(ed25519_key) -> None:
    headers = signed(ed25519_key)
    headers["Signature-Input"] = f"{headers['Signature-Input']}, {headers['Signature-Input']}"
    malformed(headers, "repeats")


def test_duplicate_label_across_field_lines_is_malformed(ed25519_key) -> None:
    headers = signed(ed25519_key)
    lines = CIMultiDict(headers)
    lines.add("Signature", headers["Signature"])
    malformed(lines, "repeats")


def test_two_signatures_are_malformed(ed25519_key, other_ed25519_key) -> None:
    # Labels are not signed, so we will not pick one of several by its name.
    first = signed(ed25519_key)
    second = signed(other_ed25519_key)
    headers = dict(first)
    for field in ("Signature-Input", "Signature"):
        headers[field] = f"{first[field]}, {second[field].replace('sig1=', 'sig2=')}"
    malformed(headers, "exactly one signature")


# -- parameters ------------------------------------------------------------------


def test_missing_created_is_malformed(ed25519_key) -> None:
    headers = signed(ed25519_key)
    headers = with_input(headers, f"created={int(NOW.timestamp())};", "")
    malformed(headers, "no created")


def test_missing_keyid_is_malformed(ed25519_key) -> None:
    malformed(with_input(signed(ed25519_key), 'keyid="k";', ""), "no keyid")


def test_duplicate_parameter_is_malformed(ed25519_key) -> None:
    headers = with_input(signed(ed25519_key), ";keyid=", f";created={int(NOW.timestamp())};keyid=")
    malformed(headers, "repeats")


def test_unknown_parameter_is_malformed(ed25519_key) -> None:
    malformed(with_input(signed(ed25519_key), ";keyid=", ";scope=1;keyid="), "unknown")


@pytest.mark.parametrize("alg", ["hmac-sha256", "rsa-pss-sha512", "ecdsa-p256-sha256", "none"])
def test_unknown_or_unsupported_alg_is_malformed(ed25519_key, alg: str) -> None:
    malformed(with_input(signed(ed25519_key), 'alg="ed25519"', f'alg="{alg}"'), "algorithm")


def test_created_of_the_wrong_type_is_malformed(ed25519_key) -> None:
    stamp = str(int(NOW.timestamp()))
    malformed(with_input(signed(ed25519_key), stamp, f'"{stamp}"'), "wrong type")


# -- coverage ------------------------------------------------------------------


def test_post_without_digest_coverage_is_malformed(ed25519_key) -> None:
    # Signed without a body, then sent with one: the body is unprotected.
    headers = signed(ed25519_key, body=None)
    malformed(headers, "content-digest")


def test_empty_post_must_still_cover_the_digest(ed25519_key) -> None:
    headers = signed(ed25519_key, body=None)
    malformed(headers, "content-digest", body=b"")


def test_get_without_body_needs_no_digest(ed25519_key) -> None:
    headers = signed(ed25519_key, method="GET", body=None)
    claim = read(headers, method="GET", body=b"")
    verify_signature(claim, message(headers, method="GET", body=b""), ed25519_key.public_key())


def test_missing_required_component_is_malformed(ed25519_key) -> None:
    headers = {
        **HEADERS,
        **rfc9421.sign(
            "POST",
            URL,
            HEADERS,
            BODY,
            key_id="k",
            private_key=ed25519_key,
            created=NOW,
            components=("@method", "@authority", "@path"),
        ),
    }
    malformed(headers, "@target-uri")


def test_covered_header_that_is_absent_is_malformed(ed25519_key) -> None:
    headers = {
        **HEADERS,
        **rfc9421.sign(
            "POST",
            URL,
            HEADERS,
            BODY,
            key_id="k",
            private_key=ed25519_key,
            created=NOW,
            components=("@method", "@target-uri", "content-type"),
        ),
    }
    del headers["Content-Type"]
    malformed(headers, "cannot be resolved")


# -- digests -------------------------------------------------------------------


def test_tampered_body_is_rejected(ed25519_key) -> None:
    rejected_on_read(signed(ed25519_key), "does not match", body=b'{"type": "Delete"}')


def test_wrong_digest_is_rejected(ed25519_key) -> None:
    headers = signed(ed25519_key)
    headers["Content-Digest"] = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    rejected_on_read(headers, "does not match")


@pytest.mark.parametrize(
    "value",
    ["sha-256=abc", "md5=:rL0Y20zC+Fzt72VPzMSk2A==:", "sha-256=:AAAA:, sha-256=:AAAA:", ""],
)
def test_unusable_digest_is_malformed(ed25519_key, value: str) -> None:
    headers = signed(ed25519_key)
    headers["Content-Digest"] = value
    with pytest.raises(MalformedSignature):
        read(headers)


def test_body_swapped_with_its_digest_fails_verification(ed25519_key) -> None:
    # An attacker who recomputes Content-Digest for a new body passes the digest
    # check, but the covered header no longer matches the signature.
    forged_body = b'{"type": "Delete"}'
    headers = signed(ed25519_key)
    headers["Content-Digest"] = signed(ed25519_key, body=forged_body)["Content-Digest"]
    claim = read(headers, body=forged_body)
    with pytest.raises(RejectedSignature) as caught:
        verify_signature(claim, message(headers, body=forged_body), ed25519_key.public_key())
    assert caught.value.status == 401


# -- the clock -----------------------------------------------------------------


@pytest.mark.parametrize("age", [timedelta(seconds=301), timedelta(days=3)])
def test_expired_is_rejected(ed25519_key, age: timedelta) -> None:
    rejected_on_read(signed(ed25519_key, created=NOW - age), "expired")


@pytest.mark.parametrize("ahead", [timedelta(seconds=61), timedelta(hours=2)])
def test_future_dated_is_rejected(ed25519_key, ahead: timedelta) -> None:
    rejected_on_read(signed(ed25519_key, created=NOW + ahead), "future")


@pytest.mark.parametrize("offset", [timedelta(seconds=-300), timedelta(seconds=60)])
def test_window_edges_are_accepted(ed25519_key, offset: timedelta) -> None:
    read(signed(ed25519_key, created=NOW + offset))


def test_a_custom_window_applies(ed25519_key) -> None:
    headers = signed(ed25519_key, created=NOW - timedelta(seconds=30))
    with pytest.raises(RejectedSignature, match="expired"):
        read_signature(message(headers), now=NOW, window=ClockWindow(max_age=timedelta(seconds=10)))


def test_passed_expires_is_rejected(ed25519_key) -> None:
    stamp = int(NOW.timestamp())
    headers = with_input(signed(ed25519_key), ";keyid=", f";expires={stamp - 1};keyid=")
    rejected_on_read(headers, "expired")


def test_naive_now_is_a_programming_error(ed25519_key) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        read_signature(message(signed(ed25519_key)), now=NOW.replace(tzinfo=None))


# -- keys and tampering found by verify_signature --------------------------------


def test_wrong_key_is_rejected(ed25519_key, other_ed25519_key) -> None:
    headers = signed(ed25519_key)
    with pytest.raises(RejectedSignature, match="does not verify") as caught:
        verify_signature(read(headers), message(headers), other_ed25519_key.public_key())
    assert caught.value.status == 401


def test_rsa_key_for_an_ed25519_signature_is_rejected(ed25519_key, rsa_key) -> None:
    headers = signed(ed25519_key)
    with pytest.raises(RejectedSignature, match="key type"):
        verify_signature(read(headers), message(headers), rsa_key.public_key())


@pytest.mark.parametrize(
    "change",
    [
        lambda m: HttpMessage("PUT", m.url, m.headers, m.body),
        lambda m: HttpMessage(m.method, m.url.replace("inbox", "outbox"), m.headers, m.body),
        lambda m: HttpMessage(m.method, m.url + "?page=2", m.headers, m.body),
    ],
)
def test_tampered_covered_component_is_rejected(ed25519_key, change) -> None:
    original = message(signed(ed25519_key))
    tampered = change(original)
    claim = read_signature(tampered, now=NOW)
    with pytest.raises(RejectedSignature):
        verify_signature(claim, tampered, ed25519_key.public_key())


def test_claim_read_from_another_message_is_rejected(ed25519_key) -> None:
    # The key was looked up for the claim's key_id; a message signed under
    # another key_id must not verify against it.
    first = message(signed(ed25519_key))
    other = {
        **HEADERS,
        **sign_request("POST", URL, HEADERS, BODY, key_id="other", private_key=ed25519_key),
    }
    with pytest.raises(RejectedSignature):
        verify_signature(read_signature(first, now=NOW), message(other), ed25519_key.public_key())


def test_verify_rechecks_the_body(ed25519_key) -> None:
    headers = signed(ed25519_key)
    claim = read(headers)
    with pytest.raises(RejectedSignature, match="does not match"):
        verify_signature(claim, message(headers, body=b"{}"), ed25519_key.public_key())


def test_claim_repr_leaves_out_the_signature(ed25519_key) -> None:
    claim = read(signed(ed25519_key))
    assert "signature=" not in repr(claim)
    assert claim.parameter("keyid") == "k"
