"""The inbound pipeline as a library: ordered checks and a fuzzed parser."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation.inbound.errors import InboundRejected
from federation.inbound.pipeline import InboundPipeline, TrustedKey
from federation.inbound.registry import ANY_OBJECT, Envelope, HandlerRegistry
from federation.jsonld import CANONICAL_CONTEXT
from federation.signatures import HttpMessage, sign_request
from federation.signatures.keys import generate_private_key

PEER = "https://de.example"
LOCAL = "https://us.example"
KEY = generate_private_key()
KEY_ID = f"{PEER}/actor#key-1"


class Keys:
    def __init__(self) -> None:
        self.refreshed: list[str] = []

    async def resolve(self, key_id: str) -> TrustedKey | None:
        return TrustedKey(KEY_ID, KEY.public_key(), PEER) if key_id == KEY_ID else None

    async def refresh(self, key_id: str) -> TrustedKey | None:
        self.refreshed.append(key_id)
        return None


class AcceptAll:
    activity_type = "Create"
    object_type = ANY_OBJECT

    async def verify(self, envelope: Envelope) -> None:
        return None

    async def receive(self, envelope: Envelope, context: object) -> None:
        return None


def pipeline(keys: Keys | None = None) -> InboundPipeline[object]:
    return InboundPipeline(
        keys=keys or Keys(), registry=HandlerRegistry.of([AcceptAll()]), local_origin=LOCAL
    )


def activity(**overrides: Any) -> dict[str, Any]:
    document = {
        "@context": list(CANONICAL_CONTEXT),
        "id": f"{PEER}/activities/1",
        "type": "Create",
        "actor": f"{PEER}/members/a",
        "object": {"id": f"{PEER}/notes/1", "type": "Note", "content": "hi"},
    }
    document.update(overrides)
    return document


def signed(body: bytes, headers: dict[str, str] | None = None) -> HttpMessage:
    base = {"Content-Type": "application/activity+json", **(headers or {})}
    url = f"{LOCAL}/inbox"
    base.update(sign_request("POST", url, base, body, key_id=KEY_ID, private_key=KEY))
    return HttpMessage(method="POST", url=url, headers=base, body=body)


async def test_accepts_a_well_formed_signed_activity() -> None:
    accepted = await pipeline().accept(
        signed(json.dumps(activity()).encode()), "application/activity+json"
    )
    assert accepted.envelope.signer_origin == PEER
    assert accepted.envelope.type == "Create"
    assert accepted.remember_until > datetime.now(UTC)


async def test_unknown_key_triggers_exactly_one_refresh() -> None:
    keys = Keys()
    body = json.dumps(activity()).encode()
    url = f"{LOCAL}/inbox"
    headers = {"Content-Type": "application/activity+json"}
    other = generate_private_key()
    headers.update(
        sign_request("POST", url, headers, body, key_id=f"{PEER}/actor#new", private_key=other)
    )
    with pytest.raises(InboundRejected) as caught:
        await pipeline(keys).accept(
            HttpMessage("POST", url, headers, body), "application/activity+json"
        )
    assert caught.value.status == 401
    assert keys.refreshed == [f"{PEER}/actor#new"]


async def test_expensive_parsing_happens_only_after_authentication() -> None:
    # An unsigned request with a remote context must fail on the signature (401),
    # proving the JSON-LD step was never reached for an unauthenticated sender.
    body = json.dumps(activity(**{"@context": "https://evil.example/ctx"})).encode()
    message = HttpMessage(
        "POST", f"{LOCAL}/inbox", {"Content-Type": "application/activity+json"}, body
    )
    with pytest.raises(InboundRejected) as caught:
        await pipeline().accept(message, "application/activity+json")
    assert caught.value.status == 401


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=15), children, max_size=6)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=json_values)
async def test_arbitrary_json_only_ever_raises_inbound_rejected(document: Any) -> None:
    with contextlib.suppress(InboundRejected):
        await pipeline().accept_document(document, signer_origin=PEER, key_id=KEY_ID)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.dictionaries(
        st.sampled_from(["id", "type", "actor", "object", "@context", "to", "published"]),
        json_values,
        max_size=7,
    )
)
async def test_mutated_activities_only_ever_raise_inbound_rejected(fields: dict[str, Any]) -> None:
    with contextlib.suppress(InboundRejected):
        await pipeline().accept_document(activity(**fields), signer_origin=PEER, key_id=KEY_ID)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=300))
async def test_arbitrary_signed_bytes_only_ever_raise_inbound_rejected(body: bytes) -> None:
    try:
        await pipeline().accept(signed(body), "application/activity+json")
    except InboundRejected as error:
        assert 400 <= error.status < 500
