"""Inputs that used to end in a 500 get a clear 4xx, and nothing is stored.

Found by an exploratory pass over the API: text no database can hold (a NUL, an
unpaired surrogate), JSON nested past the parser's recursion limit, numbers written
with digits ``int()`` refuses or the database overflows on, a digit run longer than
Python converts, a malformed peer origin, broken multipart bodies, and a PATCH that
changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from node.cases.models import Case, Revision
from node.members.models import Role
from tests.node.notifications.support import PASSWORD, browser
from tests.node.test_federation_basics import CASE
from tests.node.test_federation_security import signed_get
from tests.peering import create_case_activity, inbox_count, post_inbox
from tests.rig import NodeNetwork, TestNode

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a4f10000000049454e44ae426082"
)


async def case_count(node: TestNode) -> int:
    async with node.state.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Case)) or 0)


async def raw_post(node: TestNode, path: str, token: str, body: bytes) -> tuple[int, Any]:
    """POST bytes as application/json (the rig's json= would encode them itself)."""
    return await node.request(
        "POST", path, token=token, data=body, headers={"Content-Type": "application/json"}
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Fever\u0000 every four weeks"),
        ("body", "History\u0000"),
        ("specialties", ["pediatrics", "pedi\ud800"]),
        ("question", "What next?\udfff"),
    ],
)
async def test_text_no_database_can_store_is_refused_with_its_field(
    network: NodeNetwork, field: str, value: Any
) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    body = json.dumps({**CASE, field: value}).encode()  # "\u0000", "\ud800" escapes
    status, problem = await raw_post(node, "/api/v1/cases", author.token, body)
    assert status == 422, problem
    assert problem["errors"][0]["field"].split(".")[0] == field
    assert await case_count(node) == 0


async def test_json_nested_past_the_recursion_limit_is_a_400(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    deep = b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, problem = await raw_post(node, "/api/v1/cases", author.token, deep)
    assert status == 400, problem
    assert problem["title"] == "Bad Request" and "nested" in problem["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/%00",
        "/api/v1/cases?specialty=%00",
        "/api/v1/search?q=fever&language=%00",
        "/api/v1/notifications?before=%00",
        "/cases/%00",
    ],
)
async def test_a_nul_in_the_address_is_a_400(network: NodeNetwork, path: str) -> None:
    node = await network.spawn("US")
    member = await node.add_member()
    status, _ = await node.request("GET", path, token=member.token)
    assert status == 400


async def test_a_peer_cannot_send_text_no_database_can_store(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    before = await inbox_count(us)
    for bad in ("Fever\u0000", "Fever\ud800"):
        activity = create_case_activity(de.base_url, title=bad)
        status, problem = await post_inbox(de, us, json.dumps(activity).encode())
        assert status == 400, problem
    assert await inbox_count(us) == before


async def test_a_run_of_thousands_of_digits_is_scanned_not_a_500(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    member = await node.add_member()
    status, body = await node.request(
        "POST", "/api/v1/deid/scan", token=member.token, json={"text": "1" * 5000, "language": "en"}
    )
    assert status == 200, body
    status, _ = await node.request(
        "POST", "/api/v1/cases", token=member.token, json={**CASE, "body": "9" * 5000}
    )
    assert status in (201, 422)  # the guard may flag it; it must not fail


@pytest.mark.parametrize("report_id", ["%C2%B2", "9" * 5000, "99999999999999999999"])
async def test_a_report_id_that_is_no_stored_number_is_a_404(
    network: NodeNetwork, report_id: str
) -> None:
    node = await network.spawn("US")
    moderator = await node.add_member(role=Role.MODERATOR)
    status, _ = await node.request(
        "POST",
        f"/api/v1/admin/reports/{report_id}/decision",
        token=moderator.token,
        json={"action": "dismiss", "reason": "nothing wrong with it"},
    )
    assert status == 404


async def test_outbox_paging_with_an_overflowing_number_is_a_400(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    for after in ("99999999999999999999", "%C2%B2"):
        status, _ = await signed_get(de, us, f"/outbox?after={after}")
        assert status == 400


async def test_blocking_a_malformed_origin_is_a_422(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    admin = await node.add_member(role=Role.ADMIN)
    for origin in ("not a url", "ftp://x", "http://", "http://[::1"):
        status, problem = await node.request(
            "POST",
            "/api/v1/admin/peers/block",
            token=admin.token,
            json={"origin": origin, "reason": "repeated identifiable posts"},
        )
        assert status == 422, (origin, problem)
        assert problem["errors"][0]["field"] == "origin"


async def test_an_edit_that_changes_nothing_is_refused(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    path = f"/api/v1/cases/{case['local_id']}"
    status, problem = await node.request("PATCH", path, token=author.token, json={})
    assert status == 422, problem
    async with node.state.db.read() as session:  # no revision recorded, nothing sent
        assert await session.scalar(select(func.count()).select_from(Revision)) == 0


async def upload(node: TestNode, token: str, case_id: str, body: bytes, content_type: str) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{node.base_url}/api/v1/cases/{case_id}/images",
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
        ) as response,
    ):
        return response.status


def multipart(description: bytes, charset: str = "utf-8") -> bytes:
    return (
        b"--xx\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + PNG_1PX + b"\r\n"
        b"--xx\r\n"
        b'Content-Disposition: form-data; name="description"\r\n'
        b"Content-Type: text/plain; charset="
        + charset.encode()
        + b"\r\n\r\n"
        + description
        + b"\r\n--xx--\r\n"
    )


@pytest.mark.sqlite_only  # multipart parsing does not touch the database
async def test_broken_multipart_uploads_get_a_4xx(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    case_id = case["local_id"]
    boundary = "multipart/form-data; boundary=xx"
    assert await upload(node, author.token, case_id, b"abc", "multipart/form-data") == 400
    cut_short = b'--xx\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc'
    assert await upload(node, author.token, case_id, cut_short, boundary) == 400
    assert await upload(node, author.token, case_id, multipart(b"\xff\xfe x-ray"), boundary) == 422
    assert await upload(node, author.token, case_id, multipart(b"x-ray\x00"), boundary) == 422
    # A charset nobody knows: the description is read as UTF-8, as forms send it.
    assert await upload(node, author.token, case_id, multipart(b"x-ray", "nope"), boundary) == 201


async def test_a_page_form_with_a_nul_is_refused(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    member = await node.add_member(password=PASSWORD)
    async with browser(node, member) as visitor:
        fields = [("title", "Fever\x00"), ("all", "1")]
        refused = await visitor.post("/notifications/read", fields, csrf_from="/notifications")
        assert refused.status == 422
        done = await visitor.post("/notifications/read", [("all", "1")], csrf_from="/notifications")
        assert done.status == 303


async def test_a_json_number_of_thousands_of_digits_is_a_400(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member()
    huge = b'{"title": ' + b"9" * 5000 + b"}"
    status, problem = await raw_post(us, "/api/v1/cases", author.token, huge)
    assert status == 400, problem
    activity = json.dumps(create_case_activity(de.base_url)).encode()
    with_huge_number = activity[:-1] + b', "x": ' + b"9" * 5000 + b"}"
    status, problem = await post_inbox(de, us, with_huge_number)
    assert status == 400, problem


async def test_an_id_past_the_databases_range_in_a_route_is_a_404(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    admin = await node.add_member(role=Role.ADMIN)
    for claim_id in ("99999999999999999999", "9" * 5000):
        path = f"/api/v1/admin/verification/claims/{claim_id}/document"
        status, _ = await node.request("GET", path, token=admin.token)
        assert status == 404
