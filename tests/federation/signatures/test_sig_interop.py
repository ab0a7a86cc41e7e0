"""Both directions against independent implementations run in Node.js.

RFC 9421 / Ed25519 against the ``http-message-signatures`` npm package and
draft-cavage-12 / rsa-sha256 against Misskey's
``@misskey-dev/node-http-message-signatures`` (see interop/peer.mjs). Neither
shares code with the Python ``http-message-signatures`` library we build on.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest

from federation.signatures import (
    HttpMessage,
    RejectedSignature,
    read_signature,
    sign_request,
    sign_request_cavage,
    verify_signature,
)
from federation.signatures.keys import public_key_pem

URL = "https://node-b.example/inbox?page=2&kind=case"
BODY = '{"type": "Create", "object": {"content": "Kasus, ß, 症例"}}'.encode()
KEY_ID = "https://node-a.example/actor#main-key"


def _now() -> int:
    # The npm libraries compare against the wall clock, so sign "now".
    return int(time.time())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_rfc9421_peer_signs_we_verify(node_peer, ed25519_key, private_pem) -> None:
    now = _now()
    answer = node_peer(
        {
            "operation": "rfc9421-sign",
            "method": "POST",
            "url": URL,
            "headers": {"Content-Type": "application/activity+json"},
            "body_b64": _b64(BODY),
            "private_key_pem": private_pem(ed25519_key),
            "key_id": KEY_ID,
            "created": now,
        }
    )
    message = HttpMessage("POST", URL, answer["headers"], BODY)
    claim = read_signature(message, now=datetime.fromtimestamp(now, UTC))
    assert claim.scheme == "rfc9421"
    assert claim.key_id == KEY_ID
    assert claim.algorithm == "ed25519"
    verify_signature(claim, message, ed25519_key.public_key())

    moved = HttpMessage("POST", URL.replace("page=2", "page=3"), answer["headers"], BODY)
    with pytest.raises(RejectedSignature):
        verify_signature(read_signature(moved, now=claim.created), moved, ed25519_key.public_key())


def test_we_sign_rfc9421_peer_verifies(node_peer, ed25519_key) -> None:
    now = _now()
    headers = {"Content-Type": "application/activity+json"}
    added = sign_request(
        "POST",
        URL,
        headers,
        BODY,
        key_id=KEY_ID,
        private_key=ed25519_key,
        created=datetime.fromtimestamp(now, UTC),
    )
    request = {
        "operation": "rfc9421-verify",
        "method": "POST",
        "url": URL,
        "headers": {**headers, **added},
        "body_b64": _b64(BODY),
        "public_key_pem": public_key_pem(ed25519_key.public_key()),
        "key_id": KEY_ID,
        "now": now,
    }
    assert node_peer(request) == {"verified": True, "digest": True}
    # The peer is no rubber stamp: a changed body or target is refused.
    assert node_peer({**request, "body_b64": _b64(BODY + b" ")})["digest"] is False
    assert node_peer({**request, "url": URL + "&x=1"})["verified"] is False


def test_cavage_peer_signs_we_verify(node_peer, rsa_key, private_pem) -> None:
    now = _now()
    answer = node_peer(
        {
            "operation": "cavage-sign",
            "method": "POST",
            "url": URL,
            "headers": {},
            "body_b64": _b64(BODY),
            "private_key_pem": private_pem(rsa_key),
            "key_id": KEY_ID,
            "created": now,
        }
    )
    message = HttpMessage("POST", URL, answer["headers"], BODY)
    claim = read_signature(message, now=datetime.fromtimestamp(now, UTC))
    assert claim.scheme == "cavage"
    assert claim.algorithm == "rsa-sha256"
    assert claim.covered == ("(request-target)", "host", "date", "digest")
    verify_signature(claim, message, rsa_key.public_key())

    moved = HttpMessage("POST", URL.replace("/inbox", "/outbox"), answer["headers"], BODY)
    with pytest.raises(RejectedSignature):
        verify_signature(read_signature(moved, now=claim.created), moved, rsa_key.public_key())


def test_we_sign_cavage_peer_verifies(node_peer, rsa_key) -> None:
    now = _now()
    added = sign_request_cavage(
        "POST",
        URL,
        {},
        BODY,
        key_id=KEY_ID,
        private_key=rsa_key,
        created=datetime.fromtimestamp(now, UTC),
    )
    request = {
        "operation": "cavage-verify",
        "method": "POST",
        "url": URL,
        "headers": added,
        "body_b64": _b64(BODY),
        "public_key_pem": public_key_pem(rsa_key.public_key()),
        "now": now,
    }
    answer = node_peer(request)
    assert answer == {
        "verified": True,
        "digest": True,
        "key_id": KEY_ID,
        "algorithm": "RSA-SHA256",
    }
    assert node_peer({**request, "body_b64": _b64(b"{}")})["digest"] is False
    assert node_peer({**request, "url": URL.replace("/inbox", "/outbox")})["verified"] is False
