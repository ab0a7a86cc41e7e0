"""The JSON API base: health, tokens, problem+json errors, limits, OpenAPI, isolation."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.rig import NodeNetwork

PROBLEM = "https://w3id.org/curbside/problems/"


async def test_healthz(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    status, body = await node.request("GET", "/healthz")
    assert (status, body) == (200, {"status": "ok"})


async def test_me_with_token(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await node.add_member(name="Ada Lovelace", specialty="cardiology")
    status, body = await node.request("GET", "/api/v1/me", token=account.token)
    assert status == 200
    assert body["name"] == "Ada Lovelace"
    assert body["specialty"] == "cardiology"
    assert body["status"] == "verified"
    assert body["id"] == f"{node.base_url}/members/{account.public_id}"


async def test_wrong_token_is_401_problem(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    async with node.http.get(
        node.base_url + "/api/v1/me", headers={"Authorization": "Bearer cs_not-a-token"}
    ) as response:
        assert response.status == 401
        assert response.content_type == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        body = await response.json(content_type=None)
    assert body["type"] == PROBLEM + "unauthorized"
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert body["request_id"] == response.headers["X-Request-Id"]


async def test_missing_and_malformed_authorization(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    assert (await node.request("GET", "/api/v1/me"))[0] == 401
    status, body = await node.request("GET", "/api/v1/me", headers={"Authorization": "Basic eDp5"})
    assert status == 401
    assert "Bearer" in body["detail"]


async def test_token_of_one_node_is_unknown_on_another(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    account = await us.add_member()
    assert (await us.request("GET", "/api/v1/me", token=account.token))[0] == 200
    assert (await de.request("GET", "/api/v1/me", token=account.token))[0] == 401


async def test_tokens_are_stored_hashed(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await node.add_member()
    async with node.state.db.read() as session:
        stored = (await session.execute(text("SELECT token_hash FROM api_tokens"))).scalars().all()
    assert stored and account.token not in stored
    assert all(account.token[3:] not in value for value in stored)


async def test_unknown_path_and_method_are_problems(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    status, body = await node.request("GET", "/api/v1/nothing-here")
    assert (status, body["status"]) == (404, 404)
    status, body = await node.request("DELETE", "/api/v1/me")
    assert status == 405
    assert "GET" in body["detail"]


async def test_update_me_validates_and_saves(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await node.add_member()
    status, body = await node.request(
        "PATCH", "/api/v1/me", token=account.token, json={"locale": "he"}
    )
    assert (status, body["locale"]) == (200, "he")
    status, body = await node.request(
        "PATCH", "/api/v1/me", token=account.token, json={"locale": "xx"}
    )
    assert status == 422
    assert body["errors"][0]["field"] == "locale"
    assert (await node.request("GET", "/api/v1/me", token=account.token))[1]["locale"] == "he"


async def test_bad_bodies(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await node.add_member()
    auth = {"Authorization": f"Bearer {account.token}"}
    cases = [
        ({"data": b"{not json", "headers": {**auth, "Content-Type": "application/json"}}, 400),
        ({"data": b"[1, 2]", "headers": {**auth, "Content-Type": "application/json"}}, 422),
        ({"data": b"locale=de", "headers": {**auth, "Content-Type": "text/plain"}}, 415),
        ({"json": {"locale": "de", "admin": True}, "headers": auth}, 422),
    ]
    for kwargs, expected in cases:
        async with node.http.patch(node.base_url + "/api/v1/me", **kwargs) as response:
            assert response.status == expected, kwargs
            assert response.content_type == "application/problem+json"


async def test_oversize_body_is_413_and_changes_nothing(network: NodeNetwork) -> None:
    node = await network.spawn("US", max_body_bytes=2048)
    account = await node.add_member()
    huge = json.dumps({"locale": "de", "padding": "x" * 10_000})
    status, body = await node.request(
        "PATCH",
        "/api/v1/me",
        token=account.token,
        data=huge,
        headers={"Content-Type": "application/json"},
    )
    assert status == 413
    assert body["status"] == 413
    assert (await node.request("GET", "/api/v1/me", token=account.token))[1]["locale"] is None


async def test_request_id_is_echoed_when_sane(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    async with node.http.get(
        node.base_url + "/healthz", headers={"X-Request-Id": "abc12345-xyz"}
    ) as r:
        assert r.headers["X-Request-Id"] == "abc12345-xyz"
    async with node.http.get(
        node.base_url + "/healthz", headers={"X-Request-Id": "bad\u2028id"}
    ) as r:
        assert r.headers["X-Request-Id"] != "bad\u2028id"
        assert len(r.headers["X-Request-Id"]) == 16


async def test_openapi_lists_every_api_route(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    status, document = await node.request("GET", "/api/v1/openapi.json")
    assert status == 200
    assert document["openapi"].startswith("3.1")
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    served = {
        (route.method, route.resource.canonical)
        for route in node.running.app.router.routes()
        if route.resource is not None
        and route.method != "HEAD"
        and (route.resource.canonical.startswith("/api/") or route.resource.canonical == "/healthz")
    }
    assert served <= documented
    me = document["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"bearer": []}]
    assert "401" in me["responses"]
    ref = me["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[1] in document["components"]["schemas"]


async def test_specialties_list_contains_contract_codes(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    status, body = await node.request("GET", "/api/v1/specialties")
    assert status == 200
    codes = {item["code"] for item in body["items"]}
    assert {
        "general-practice",
        "internal-medicine",
        "pediatrics",
        "gastroenterology",
        "nephrology",
        "cardiology",
        "neurology",
        "infectious-diseases",
        "dermatology",
        "radiology",
        "emergency-medicine",
        "psychiatry",
        "oncology",
        "surgery",
    } <= codes
    names = {item["code"]: item["name"] for item in body["items"]}
    assert names["cardiology"] == "Cardiology"
    # In the request's language, as the contract says: a client's picker in German.
    status, body = await node.request(
        "GET", "/api/v1/specialties", headers={"Accept-Language": "de"}
    )
    assert status == 200
    german = {item["code"]: item["name"] for item in body["items"]}
    assert german["cardiology"] == "Kardiologie"
    assert german.keys() == names.keys()
