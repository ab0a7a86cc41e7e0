"""Following specialties and choosing the digest through the JSON API."""

from __future__ import annotations

from datetime import datetime

from tests.rig import NodeNetwork


async def test_follows_are_a_set_of_known_specialty_codes(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    member = await node.add_member(specialty="pediatrics")
    status, body = await node.request("GET", "/api/v1/me/follows", token=member.token)
    assert (status, body) == (200, {"specialties": []})

    status, body = await node.request(
        "PUT",
        "/api/v1/me/follows",
        token=member.token,
        json={"specialties": ["nephrology", "pediatrics", "nephrology"]},
    )
    assert status == 200, body
    # Listed once each, in the order of the specialty list (pediatrics before nephrology).
    assert body == {"specialties": ["pediatrics", "nephrology"]}
    status, body = await node.request("GET", "/api/v1/me/follows", token=member.token)
    assert body == {"specialties": ["pediatrics", "nephrology"]}

    # Replacing the set drops what is no longer listed.
    status, body = await node.request(
        "PUT", "/api/v1/me/follows", token=member.token, json={"specialties": ["cardiology"]}
    )
    assert (status, body) == (200, {"specialties": ["cardiology"]})
    status, body = await node.request(
        "PUT", "/api/v1/me/follows", token=member.token, json={"specialties": []}
    )
    assert (status, body) == (200, {"specialties": []})


async def test_bad_follows_are_refused_and_change_nothing(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    member = await node.add_member()
    await node.request(
        "PUT", "/api/v1/me/follows", token=member.token, json={"specialties": ["oncology"]}
    )
    for payload in (
        {"specialties": ["pediatrics", "astrology"]},
        {"specialties": "pediatrics"},
        {"specialties": [42]},
        {},
        {"specialties": ["pediatrics"], "email": "x@y.org"},
    ):
        status, body = await node.request(
            "PUT", "/api/v1/me/follows", token=member.token, json=payload
        )
        assert status == 422, (payload, body)
        assert body["type"].endswith("/invalid-body")
    status, body = await node.request(
        "PUT", "/api/v1/me/follows", token=member.token, json={"specialties": ["astrology"]}
    )
    assert "astrology" in str(body["errors"])
    status, body = await node.request("GET", "/api/v1/me/follows", token=member.token)
    assert body == {"specialties": ["oncology"]}
    status, _ = await node.request("GET", "/api/v1/me/follows")
    assert status == 401


async def test_digest_setting(network: NodeNetwork) -> None:
    node = await network.spawn("US", digest_hour=6, digest_weekday="friday")
    member = await node.add_member()
    path = "/api/v1/me/notification-settings"
    status, body = await node.request("GET", path, token=member.token)
    assert (status, body) == (200, {"digest": "off", "next_digest_at": None})

    status, body = await node.request("PATCH", path, token=member.token, json={"digest": "daily"})
    assert status == 200 and body["digest"] == "daily"
    assert body["next_digest_at"].endswith("T06:00:00Z")

    status, body = await node.request("PATCH", path, token=member.token, json={"digest": "weekly"})
    assert status == 200 and body["digest"] == "weekly"
    status, body = await node.request("GET", path, token=member.token)
    assert body["digest"] == "weekly"
    assert body["next_digest_at"].endswith("T06:00:00Z")
    assert datetime.fromisoformat(body["next_digest_at"]).weekday() == 4  # a Friday

    for bad in ({"digest": "hourly"}, {"digest": None}, {}, {"digest": "off", "x": 1}):
        status, body = await node.request("PATCH", path, token=member.token, json=bad)
        assert status == 422, (bad, body)
    status, body = await node.request("PATCH", path, token=member.token, json={"digest": "off"})
    assert (status, body) == (200, {"digest": "off", "next_digest_at": None})
