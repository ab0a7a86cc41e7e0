"""Every kind of bad inbound request gets a 4xx, stores nothing, and the node keeps serving."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from federation.signatures import sign_request_cavage
from federation.signatures.keys import generate_private_key
from node.peers.service import remove_peer
from tests.peering import create_case_activity, inbox_count, post_inbox, signed_headers
from tests.rig import TestNode
from tests.waiting import eventually


async def assert_still_serving(receiver: TestNode, sender: TestNode) -> None:
    status, _ = await post_inbox(
        sender, receiver, create_case_activity(sender.base_url, title="fine")
    )
    assert status == 202
    assert (await receiver.request("GET", "/healthz"))[0] == 200


async def test_signature_problems(pair: tuple[TestNode, TestNode]) -> None:
    receiver, sender = pair
    url = receiver.base_url + "/inbox"

    def activity() -> bytes:
        return json.dumps(create_case_activity(sender.base_url)).encode()

    async def send(body: bytes, headers: dict[str, str], path: str = "/inbox") -> int:
        return (await receiver.request("POST", path, data=body, headers=headers))[0]

    now = datetime.now(UTC)
    stranger = generate_private_key()
    cases: list[tuple[str, int, bytes, dict[str, str], str]] = []
    body = activity()
    cases.append(("unsigned", 401, body, {"Content-Type": "application/activity+json"}, "/inbox"))
    body = activity()
    cases.append(
        (
            "expired",
            401,
            body,
            signed_headers(sender, url, body, created=now - timedelta(minutes=10)),
            "/inbox",
        )
    )
    body = activity()
    cases.append(
        (
            "future-dated",
            401,
            body,
            signed_headers(sender, url, body, created=now + timedelta(minutes=10)),
            "/inbox",
        )
    )
    body = activity()
    tampered = body.replace(b"History and findings.", b"History and findings!")
    cases.append(("tampered body", 401, tampered, signed_headers(sender, url, body), "/inbox"))
    body = activity()
    cases.append(
        ("tampered target", 401, body, signed_headers(sender, url + "?x=1", body), "/inbox")
    )
    body = activity()
    headers = signed_headers(sender, url, body)
    headers["Content-Digest"] = "sha-256=:" + "A" * 43 + "=:"
    cases.append(("wrong digest", 401, body, headers, "/inbox"))
    body = activity()
    headers = signed_headers(sender, url, body)
    headers["Signature"] = headers["Signature"][:-6] + "AAAA:"
    cases.append(("tampered signature", 401, body, headers, "/inbox"))
    body = activity()
    cases.append(
        (
            "unknown key",
            401,
            body,
            signed_headers(sender, url, body, key=stranger, key_id="https://evil.example/actor#k"),
            "/inbox",
        )
    )
    body = activity()
    cases.append(
        (
            "peer key id, other key",
            401,
            body,
            signed_headers(sender, url, body, key=stranger),
            "/inbox",
        )
    )
    body = activity()
    headers = signed_headers(sender, url, body)
    headers["Signature-Input"] = "sig1=(garbage"
    cases.append(("malformed signature input", 400, body, headers, "/inbox"))

    before = await inbox_count(receiver)
    for name, expected, payload, headers, path in cases:
        status = await send(payload, headers, path)
        assert status == expected, f"{name}: got {status}"
    assert await inbox_count(receiver) == before
    await assert_still_serving(receiver, sender)


async def test_replay_is_refused(pair: tuple[TestNode, TestNode]) -> None:
    receiver, sender = pair
    body = json.dumps(create_case_activity(sender.base_url)).encode()
    headers = signed_headers(sender, receiver.base_url + "/inbox", body)
    assert (await receiver.request("POST", "/inbox", data=body, headers=headers))[0] == 202
    count = await inbox_count(receiver)
    status, problem = await receiver.request("POST", "/inbox", data=body, headers=headers)
    assert status == 401
    assert "replay" in problem["detail"]
    assert await inbox_count(receiver) == count


async def test_redelivery_with_a_fresh_signature_is_a_no_op(
    pair: tuple[TestNode, TestNode],
) -> None:
    receiver, sender = pair
    activity = create_case_activity(sender.base_url, title="once only")
    assert (await post_inbox(sender, receiver, activity))[0] == 202
    # A real redelivery is signed anew at send time (and a second later, at least).
    later = datetime.now(UTC) + timedelta(seconds=2)
    assert (await post_inbox(sender, receiver, activity, created=later))[0] == 202
    reader = await receiver.add_member()

    async def titles() -> list[str]:
        _, body = await receiver.request("GET", "/api/v1/cases", token=reader.token)
        return [item["title"] for item in body["items"]]

    await eventually(lambda: _contains(titles, "once only"))
    assert (await titles()).count("once only") == 1


async def _contains(probe: Any, title: str) -> bool:
    return title in await probe()


async def test_removed_peer_is_refused_at_once(pair: tuple[TestNode, TestNode]) -> None:
    receiver, sender = pair
    assert (await post_inbox(sender, receiver, create_case_activity(sender.base_url)))[0] == 202
    async with receiver.state.db.write() as session:
        assert await remove_peer(session, sender.base_url, actor_label="test")
    count = await inbox_count(receiver)
    status, _ = await post_inbox(sender, receiver, create_case_activity(sender.base_url))
    assert status == 401
    assert await inbox_count(receiver) == count


async def test_origin_rules(pair: tuple[TestNode, TestNode]) -> None:
    receiver, sender = pair
    elsewhere = "https://third.example"
    on_receiver = create_case_activity(sender.base_url)
    on_receiver["object"]["id"] = receiver.base_url + "/cases/forged"
    actor_elsewhere = create_case_activity(sender.base_url)
    actor_elsewhere["actor"] = elsewhere + "/members/x"
    activity_elsewhere = create_case_activity(sender.base_url)
    activity_elsewhere["id"] = elsewhere + "/activities/1"
    author_elsewhere = create_case_activity(sender.base_url)
    author_elsewhere["object"]["attributedTo"]["id"] = elsewhere + "/members/x"
    author_elsewhere["actor"] = elsewhere + "/members/x"
    userinfo = create_case_activity(sender.base_url)
    userinfo["object"]["id"] = sender.base_url.replace("http://", "http://x@") + "/cases/1"
    before = await inbox_count(receiver)
    for name, activity in [
        ("object id on the receiver's own domain", on_receiver),
        ("actor on another origin", actor_elsewhere),
        ("activity id on another origin", activity_elsewhere),
        ("author on another origin", author_elsewhere),
        ("userinfo in the object id", userinfo),
    ]:
        status, problem = await post_inbox(sender, receiver, activity)
        assert status == 403, f"{name}: {status} {problem}"
        assert problem["type"].endswith("wrong-origin")
    assert await inbox_count(receiver) == before
    await assert_still_serving(receiver, sender)


async def test_body_problems(pair: tuple[TestNode, TestNode], aiohttp_server: Any) -> None:
    receiver, sender = pair
    hits: list[str] = []

    async def context_handler(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response({"@context": {"name": "https://evil.example/name"}})

    app = web.Application()
    app.router.add_get("/context", context_handler)
    server = await aiohttp_server(app)
    remote_context = create_case_activity(sender.base_url)
    remote_context["@context"] = [*remote_context["@context"], str(server.make_url("/context"))]

    deep_json = json.dumps(
        {**create_case_activity(sender.base_url), "deep": "PLACEHOLDER"}
    ).encode()
    deep_json = deep_json.replace(b'"PLACEHOLDER"', b"[" * 5000 + b"1" + b"]" * 5000)
    moderately_deep = create_case_activity(sender.base_url)
    nested: Any = "deep"
    for _ in range(40):
        nested = {"nested": nested}
    moderately_deep["object"]["https://example.org/ns#x"] = nested
    huge = create_case_activity(sender.base_url)
    huge["object"]["contentMap"] = {"en": "x" * (300 * 1024)}
    follow = create_case_activity(sender.base_url)
    follow["type"] = "Follow"

    before = await inbox_count(receiver)
    cases: list[tuple[str, int, Any, dict[str, Any]]] = [
        ("remote @context", 400, remote_context, {}),
        ("deeply nested JSON (5000 levels)", 400, deep_json, {}),
        ("nested deeper than the JSON-LD limit", 400, moderately_deep, {}),
        ("huge body", 413, huge, {}),
        ("not JSON", 400, b"{this is not json", {}),
        ("a JSON array", 400, b"[1, 2, 3]", {}),
        (
            "wrong content type",
            415,
            create_case_activity(sender.base_url),
            {"content_type": "text/plain"},
        ),
        ("unsupported activity", 422, follow, {}),
        (
            "no type",
            400,
            {k: v for k, v in create_case_activity(sender.base_url).items() if k != "type"},
            {},
        ),
    ]
    for name, expected, activity, options in cases:
        status, problem = await post_inbox(sender, receiver, activity, **options)
        assert status == expected, f"{name}: {status} {problem}"
    assert hits == [], "a remote JSON-LD context must never be fetched"
    assert await inbox_count(receiver) == before
    await assert_still_serving(receiver, sender)


WRONG_FIELDS: list[tuple[str, Any]] = [
    ("nameMap", "not a language map"),
    ("nameMap", {"en": ""}),
    ("nameMap", {"en": "t" * 201}),
    ("contentMap", {"en": 42}),
    ("contentMap", {"de": "Sprache passt nicht"}),
    ("clinicalQuestion", ["a", "list"]),
    ("clinicalQuestion", ""),
    ("specialty", []),
    ("specialty", [{"not": "a code"}]),
    ("specialty", ["Not A Slug!"]),
    ("specialty", ["a", "b", "c", "d", "e", "f"]),
    ("ageBand", "42"),
    ("sex", "unknown-value"),
    ("caseStatus", "closed-forever"),
    ("published", "yesterday"),
    ("published", 12345),
    ("attributedTo", "https://x.example/members/1"),
    (
        "attributedTo",
        {
            "id": "http://127.0.0.1:1/members/x",
            "type": "Person",
            "name": "x",
            "specialty": ["pediatrics"],
            "country": "DE",
        },
    ),
    ("attributedTo", {"type": "Group"}),
    ("anonymous", "yes"),
    ("type", "Note"),
]


@pytest.mark.parametrize(
    ("field", "value"), WRONG_FIELDS, ids=[f"{f}={v!r:.20}" for f, v in WRONG_FIELDS]
)
async def test_wrong_types_in_case_fields(
    pair: tuple[TestNode, TestNode], field: str, value: Any
) -> None:
    receiver, sender = pair
    activity = create_case_activity(sender.base_url)
    activity["object"][field] = value
    before = await inbox_count(receiver)
    status, problem = await post_inbox(sender, receiver, activity)
    assert 400 <= status < 500 and status != 413, problem
    assert await inbox_count(receiver) == before


async def test_draft_cavage_signatures_are_accepted_too(pair: tuple[TestNode, TestNode]) -> None:
    """Interop: a peer signing with draft-cavage-12 (hs2019, its Ed25519 key) is accepted."""
    receiver, sender = pair
    body = json.dumps(create_case_activity(sender.base_url, title="cavage")).encode()
    url = receiver.base_url + "/inbox"
    headers = {"Content-Type": "application/activity+json"}
    headers.update(
        sign_request_cavage(
            "POST",
            url,
            headers,
            body,
            key_id=sender.state.federation.signing_key.key_id,
            private_key=sender.state.key.private_key,
            algorithm="hs2019",
        )
    )
    status, problem = await receiver.request("POST", "/inbox", data=body, headers=headers)
    assert status == 202, problem
    tampered = body.replace(b"cavage", b"cabbage")
    status, _ = await receiver.request("POST", "/inbox", data=tampered, headers=headers)
    assert status == 401
