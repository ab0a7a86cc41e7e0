"""A reply or case a moderator hid is not quoted, counted or linked in notifications."""

from __future__ import annotations

from node.members.models import Role
from tests.node.notifications.support import notifications, post_case, reply, wait_for_notifications
from tests.node.test_moderation import hide
from tests.rig import NodeNetwork


async def test_notifications_leave_out_what_moderators_hid(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author, answerer, reader = [await node.add_member() for _ in range(3)]
    moderator = await node.add_member(role=Role.MODERATOR)
    case = await post_case(node, author)
    kept = await reply(node, answerer, case["local_id"], "Check the ferritin first.")
    leaked = await reply(node, answerer, case["local_id"], "Rude remark about the parents.")
    before = await wait_for_notifications(node, author, 2)
    assert before["unread_count"] == 2
    assert "Rude remark" in str(before)

    await hide(node, reader, moderator, leaked["local_id"])
    after = await notifications(node, author)
    assert [item["reply"]["local_id"] for item in after["items"]] == [kept["local_id"]]
    assert after["unread_count"] == 1
    assert "Rude remark" not in str(after)
    # The page and its badge say the same.
    status, html = await node.request("GET", "/notifications", token=author.token)
    assert status == 200 and "Rude remark" not in str(html)

    await hide(node, reader, moderator, case["id"])  # the whole case: nothing of it left
    after = await notifications(node, author)
    assert after["items"] == [] and after["unread_count"] == 0
