"""Taking back a helpful mark from the case page: a plain form, no JavaScript."""

from __future__ import annotations

from tests.node.pages.browsing import PASSWORD, browser
from tests.node.pages.test_case_pages_engagement import helpful_line
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork


async def test_undo_button_takes_the_mark_back(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    author = await us.add_member(name="Alice Carter")
    ben = await us.add_member(name="Ben Okafor")
    carla = await us.add_member(name="Carla Diaz", password=PASSWORD)
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    case_path = f"/cases/{case['local_id']}"
    _, reply = await us.request(
        "POST", f"/api/v1{case_path}/replies", token=ben.token, json={"content": "MEFV first."}
    )
    reply_id = reply["local_id"]
    mark = f'action="/replies/{reply_id}/helpful"'
    undo = f'action="/replies/{reply_id}/helpful/undo"'

    async with browser(us, carla) as visitor:
        page = await visitor.get(case_path)
        assert mark in page.html and undo not in page.html
        assert (await visitor.post(f"/replies/{reply_id}/helpful", {})).status == 303
        page = await visitor.get(case_path)
        assert undo in page.html and mark not in page.html
        assert helpful_line(page.html, reply_id).startswith("1 ")

        forged = await visitor.post(f"/replies/{reply_id}/helpful/undo", {}, csrf=False)
        assert forged.status == 403
        taken_back = await visitor.post(f"/replies/{reply_id}/helpful/undo", {})
        assert taken_back.status == 303
        assert taken_back.location == f"{case_path}#reply-{reply_id}"
        page = await visitor.get(case_path)
        assert mark in page.html and undo not in page.html
        assert "You marked this reply helpful." not in page.html
        assert helpful_line(page.html, reply_id).startswith("0 ")
        # A second click (or another tab) finds nothing to take back: back to the reply.
        again = await visitor.post(f"/replies/{reply_id}/helpful/undo", {})
        assert again.status == 303 and again.location == taken_back.location
