"""Members report a case or a reply from its page; moderators see it, the origin too."""

from __future__ import annotations

from node.members.models import Role
from tests.node.pages.browsing import PASSWORD, browser
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork
from tests.waiting import eventually


async def test_reporting_from_the_case_page(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member(password=PASSWORD)
    us_mod = await us.add_member(role=Role.MODERATOR)
    reader = await de.add_member(password=PASSWORD)
    de_mod = await de.add_member(role=Role.MODERATOR)
    await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)

    async def arrived() -> str | None:
        _, listing = await de.request("GET", "/api/v1/cases", token=reader.token)
        return listing["items"][0]["local_id"] if listing["items"] else None

    local_id = await eventually(arrived, what="case on DE")
    async with browser(de, reader) as visitor:
        page = await visitor.get(f"/cases/{local_id}")
        assert f"/report?object={local_id}" in page.html
        form = await visitor.get(f"/report?object={local_id}&back=/cases/{local_id}")
        assert form.status == 200 and CASE["title"][:20] in form.text
        missing = await visitor.post("/report", {"object": local_id, "back": f"/cases/{local_id}"})
        assert missing.status == 422
        no_token = await visitor.post("/report", {"object": local_id, "reason": "spam"}, csrf=False)
        assert no_token.status == 403
        sent = await visitor.post(
            "/report",
            {
                "object": local_id,
                "reason": "identifiable-patient-data",
                "comment": "school named",
                "back": f"/cases/{local_id}",
            },
        )
        assert sent.status == 200 and f'href="/cases/{local_id}"' in sent.html
        again = await visitor.post("/report", {"object": local_id, "reason": "spam"})
        assert again.status == 409
    _, local = await de.request("GET", "/api/v1/admin/reports", token=de_mod.token)
    assert [(r["reason"], r["comment"]) for r in local["items"]] == [
        ("identifiable-patient-data", "school named")
    ]

    async def at_origin() -> bool:
        _, body = await us.request("GET", "/api/v1/admin/reports", token=us_mod.token)
        return [(r["reason"], r["from_node"]) for r in body["items"]] == [
            ("identifiable-patient-data", de.base_url)
        ]

    await eventually(at_origin, what="the report forwarded to the case's node")
