"""Reports reach local and origin moderators; hide, remove, reveal, block."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from node.audit.models import AuditEntry
from node.members.models import Role
from node.outbox.models import OutboxEntry
from tests.node.test_attestation import suspend
from tests.node.test_federation_basics import CASE
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually

CURBSIDE = str(Path(sys.executable).parent / "curbside")


async def cli(*args: str) -> tuple[int | None, str, str]:
    process = await asyncio.create_subprocess_exec(
        CURBSIDE, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode(), err.decode()


async def first_case(node: TestNode, account: Account) -> dict[str, Any] | None:
    _, listing = await node.request("GET", "/api/v1/cases", token=account.token)
    return listing["items"][0] if listing["items"] else None


async def test_report_reaches_local_and_origin_moderators_then_removal(
    network: NodeNetwork,
) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member()
    us_mod = await us.add_member(role=Role.MODERATOR)
    de_doc = await de.add_member()
    de_mod = await de.add_member(role=Role.MODERATOR)
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    remote = await eventually(lambda: first_case(de, de_doc), what="case on DE")
    status, _ = await de.request(
        "POST",
        "/api/v1/reports",
        token=de_doc.token,
        json={
            "object": remote["local_id"],
            "reason": "identifiable-patient-data",
            "comment": "names the school",
        },
    )
    assert status == 201
    assert (
        await de.request(
            "POST",
            "/api/v1/reports",
            token=de_doc.token,
            json={"object": remote["local_id"], "reason": "spam"},
        )
    )[0] == 409
    assert (await de.request("GET", "/api/v1/admin/reports", token=de_doc.token))[0] == 403
    _, local = await de.request("GET", "/api/v1/admin/reports", token=de_mod.token)
    assert local["items"][0]["comment"] == "names the school"

    async def flagged_at_origin() -> dict[str, Any] | None:
        _, body = await us.request("GET", "/api/v1/admin/reports", token=us_mod.token)
        return body["items"][0] if body["items"] else None

    flag = await eventually(flagged_at_origin, what="the Flag at the origin")
    assert flag["reason"] == "identifiable-patient-data"
    assert flag["from_node"] == de.base_url
    assert flag["comment"] == ""  # the reporter's comment never leaves their node
    assert de_doc.email not in str(flag)

    status, _ = await us.request(
        "POST",
        f"/api/v1/admin/reports/{flag['id']}/decision",
        token=us_mod.token,
        json={"action": "remove", "reason": "patient identifiable from the school name"},
    )
    assert status == 200
    assert (await us.request("GET", f"/api/v1/cases/{case['local_id']}", token=author.token))[
        0
    ] == 404

    async def gone_on_de() -> bool:
        return await first_case(de, de_doc) is None

    await eventually(gone_on_de, what="the case removed on DE too")


async def test_hide_is_local_and_reversible_in_the_database(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    reader = await node.add_member()
    moderator = await node.add_member(role=Role.MODERATOR)
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    _, _ = await node.request(
        "POST",
        "/api/v1/reports",
        token=reader.token,
        json={"object": case["id"], "reason": "abusive"},
    )
    _, reports = await node.request("GET", "/api/v1/admin/reports", token=moderator.token)
    report_id = reports["items"][0]["id"]
    status, problem = await node.request(
        "POST",
        f"/api/v1/admin/reports/{report_id}/decision",
        token=moderator.token,
        json={"action": "hide", "reason": "too short"},
    )
    assert status == 422, problem  # a reason of at least 10 characters is required
    assert (
        await node.request(
            "POST",
            f"/api/v1/admin/reports/{report_id}/decision",
            token=moderator.token,
            json={"action": "hide", "reason": "abusive language"},
        )
    )[0] == 200
    assert await first_case(node, reader) is None
    assert (
        await node.request(
            "POST",
            f"/api/v1/admin/reports/{report_id}/decision",
            token=moderator.token,
            json={"action": "dismiss", "reason": "changed my mind"},
        )
    )[0] == 409


async def test_reveal_is_for_admins_and_audited(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Hidden Author")
    moderator = await node.add_member(role=Role.MODERATOR)
    admin = await node.add_member(role=Role.ADMIN)
    _, case = await node.request(
        "POST", "/api/v1/cases", token=author.token, json={**CASE, "anonymous": True}
    )
    handle = case["author"]["pseudonym"]
    path = f"/api/v1/admin/pseudonyms/{handle}/reveal"
    assert (
        await node.request(
            "POST", path, token=moderator.token, json={"reason": "court order 12/2026"}
        )
    )[0] == 403
    assert (await node.request("POST", path, token=admin.token, json={"reason": "why"}))[0] == 422
    status, revealed = await node.request(
        "POST", path, token=admin.token, json={"reason": "court order 12/2026"}
    )
    assert status == 200
    assert (revealed["name"], revealed["email"]) == ("Hidden Author", author.email)
    assert revealed["threads"] == [case["id"]]
    async with node.state.db.read() as session:
        entries = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "pseudonym.reveal"))
        ).all()
    assert [(e.reason, e.actor) for e in entries] == [
        ("court order 12/2026", f"member:{admin.public_id}")
    ]

    # The CLI does the same, audited as "cli".
    code, out, err = await cli(
        "members", "reveal", str(node.data_dir), "--pseudonym", handle, "--reason", "operator check"
    )
    assert code == 0, err
    assert "Hidden Author" in out
    code, out, err = await cli(
        "members",
        "reveal",
        str(node.data_dir),
        "--pseudonym",
        "anon-nobody",
        "--reason",
        "operator check",
    )
    assert code == 1 and err.startswith("curbside: error:")


async def test_block_peer_takes_effect_at_once(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    admin = await us.add_member(role=Role.ADMIN)
    author = await de.add_member()
    status, _ = await us.request(
        "POST",
        "/api/v1/admin/peers/block",
        token=admin.token,
        json={"origin": de.base_url, "reason": "repeated identifiable posts"},
    )
    assert status == 200
    assert (await de.request("POST", "/api/v1/cases", token=author.token, json=CASE))[0] == 201
    await de.state.federation.delivery.tick()
    await us.state.federation.catchup.pull_all()
    assert await first_case(us, admin) is None


async def hide(node: TestNode, reporter: Account, moderator: Account, obj: str) -> None:
    status, _ = await node.request(
        "POST", "/api/v1/reports", token=reporter.token, json={"object": obj, "reason": "abusive"}
    )
    assert status == 201
    _, reports = await node.request("GET", "/api/v1/admin/reports", token=moderator.token)
    [report] = [r for r in reports["items"] if r["state"] == "open"]
    status, _ = await node.request(
        "POST",
        f"/api/v1/admin/reports/{report['id']}/decision",
        token=moderator.token,
        json={"action": "hide", "reason": "abusive language"},
    )
    assert status == 200


@dataclass
class Thread:
    node: TestNode
    author: Account
    answerer: Account
    reader: Account
    moderator: Account
    case: dict[str, Any]
    reply: dict[str, Any]


async def thread_with_a_reply(network: NodeNetwork) -> Thread:
    node = await network.spawn("US")
    author, answerer, reader = [await node.add_member() for _ in range(3)]
    moderator = await node.add_member(role=Role.MODERATOR)
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    _, reply = await node.request(
        "POST",
        f"/api/v1/cases/{case['local_id']}/replies",
        token=answerer.token,
        json={"content": "Rude answer."},
    )
    return Thread(node, author, answerer, reader, moderator, case, reply)


async def cannot_mark_or_edit(thread: Thread) -> None:
    node, reply = thread.node, f"/api/v1/replies/{thread.reply['local_id']}"
    assert (await node.request("POST", f"{reply}/helpful", token=thread.reader.token))[0] == 404
    edit = {"content": "Edited."}
    assert (await node.request("PATCH", reply, token=thread.answerer.token, json=edit))[0] == 404


async def test_a_hidden_reply_is_not_there_for_members_but_its_author_may_delete_it(
    network: NodeNetwork,
) -> None:
    thread = await thread_with_a_reply(network)
    node, reply = thread.node, thread.reply
    await hide(node, thread.reader, thread.moderator, reply["local_id"])

    await cannot_mark_or_edit(thread)
    path = f"/api/v1/cases/{thread.case['local_id']}"
    answer = {"content": "I disagree.", "in_reply_to": reply["local_id"]}
    status, _ = await node.request(
        "POST", f"{path}/replies", token=thread.reader.token, json=answer
    )
    assert status == 422
    resolution = {
        "accepted_reply": reply["local_id"],
        "summary": "Solved.",
        "found_what_needed": True,
    }
    status, _ = await node.request(
        "POST", f"{path}/resolution", token=thread.author.token, json=resolution
    )
    assert status == 422
    # Hidden here, not on the other nodes: its author may still take it back everywhere.
    mine = f"/api/v1/replies/{reply['local_id']}"
    assert (await node.request("DELETE", mine, token=thread.answerer.token))[0] == 204


async def test_the_replies_of_a_hidden_case_are_not_there_for_members(
    network: NodeNetwork,
) -> None:
    thread = await thread_with_a_reply(network)
    await hide(thread.node, thread.reader, thread.moderator, thread.case["id"])
    await cannot_mark_or_edit(thread)


async def test_a_hidden_reply_is_404_to_a_member_who_may_not_delete_it(
    network: NodeNetwork,
) -> None:
    # A 403 ("only its author...") would tell them the hidden reply is there.
    thread = await thread_with_a_reply(network)
    await hide(thread.node, thread.reader, thread.moderator, thread.reply["local_id"])
    path = f"/api/v1/replies/{thread.reply['local_id']}"
    assert (await thread.node.request("DELETE", path, token=thread.reader.token))[0] == 404
    assert (await thread.node.request("DELETE", path, token=thread.moderator.token))[0] == 204


async def restore(thread: Thread, report_id: int, account: Account) -> tuple[int, Any]:
    return await thread.node.request(
        "POST",
        f"/api/v1/admin/reports/{report_id}/restore",
        token=account.token,
        json={"reason": "on a second reading, a fair answer"},
    )


async def reports_in(node: TestNode, moderator: Account, state: str) -> list[int]:
    _, listing = await node.request(
        "GET", "/api/v1/admin/reports", token=moderator.token, params={"state": state}
    )
    return [item["id"] for item in listing["items"]]


async def test_a_restored_reply_is_back_in_its_thread_and_in_search(
    network: NodeNetwork,
) -> None:
    thread = await thread_with_a_reply(network)
    node, reply = thread.node, thread.reply
    case_path = f"/api/v1/cases/{thread.case['local_id']}"
    _, before = await node.request("GET", case_path, token=thread.reader.token)
    report_for = {"object": reply["local_id"], "reason": "abusive"}
    for account in (thread.reader, thread.author):  # two reports; one decision hides it
        assert (
            await node.request("POST", "/api/v1/reports", token=account.token, json=report_for)
        )[0] == 201
    first, second = await reports_in(node, thread.moderator, "open")
    for report_id in (first, second):
        decision = {"action": "hide", "reason": "abusive language"}
        status, _ = await node.request(
            "POST",
            f"/api/v1/admin/reports/{report_id}/decision",
            token=thread.moderator.token,
            json=decision,
        )
        assert status == 200
    _, hidden = await node.request("GET", case_path, token=thread.reader.token)
    assert hidden["replies"] == []
    search = {"q": "Rude"}
    _, found = await node.request("GET", "/api/v1/search", token=thread.reader.token, params=search)
    assert found["items"] == []

    status, problem = await restore(thread, first, thread.reader)
    assert status == 403, problem  # moderators only
    status, problem = await node.request(
        "POST",
        f"/api/v1/admin/reports/{first}/restore",
        token=thread.moderator.token,
        json={"reason": "too short"},
    )
    assert status == 422, problem
    assert await restore(thread, first, thread.moderator) == (200, {"state": "restored"})

    _, after = await node.request("GET", case_path, token=thread.reader.token)
    assert [r["local_id"] for r in after["replies"]] == [reply["local_id"]]
    assert after["reply_count"] == before["reply_count"] == 1
    _, found = await node.request("GET", "/api/v1/search", token=thread.reader.token, params=search)
    assert [hit["case"]["local_id"] for hit in found["items"]] == [thread.case["local_id"]]
    assert [r["local_id"] for r in found["items"][0]["replies"]] == [reply["local_id"]]
    marked = f"/api/v1/replies/{reply['local_id']}/helpful"
    assert (await node.request("POST", marked, token=thread.reader.token))[0] == 201
    # Both reports that hid it now say it is back; restoring again is refused.
    assert set(await reports_in(node, thread.moderator, "restored")) == {first, second}
    assert await reports_in(node, thread.moderator, "hidden") == []
    status, problem = await restore(thread, second, thread.moderator)
    assert (status, problem["status"]) == (409, 409)
    assert problem["detail"] == "The post is not hidden."
    assert (await restore(thread, 999999, thread.moderator))[0] == 404

    async with node.state.db.read() as session:
        entries = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "report.restore"))
        ).all()
        sent = await session.scalar(select(func.count()).select_from(OutboxEntry))
    assert [(e.actor, e.subject, e.reason, e.details) for e in entries] == [
        (
            f"member:{thread.moderator.public_id}",
            reply["id"],
            "on a second reading, a fair answer",
            {"report": first},
        )
    ]
    # Hiding and restoring are local: nothing beyond the case, the reply and the mark
    # was published (a node without peers still logs what it publishes).
    assert sent == 3


async def test_only_a_hidden_post_can_be_restored(network: NodeNetwork) -> None:
    thread = await thread_with_a_reply(network)
    node = thread.node
    report_for = {"object": thread.case["local_id"], "reason": "spam"}
    _, filed = await node.request(
        "POST", "/api/v1/reports", token=thread.reader.token, json=report_for
    )
    status, problem = await restore(thread, filed["id"], thread.moderator)
    assert status == 409, problem  # still open
    status, _ = await node.request(
        "POST",
        f"/api/v1/admin/reports/{filed['id']}/decision",
        token=thread.moderator.token,
        json={"action": "dismiss", "reason": "a real clinical case"},
    )
    assert status == 200
    status, problem = await restore(thread, filed["id"], thread.moderator)
    assert status == 409 and problem["detail"] == "The post is not hidden."


async def test_two_moderators_restoring_through_two_reports_at_once(
    network: NodeNetwork,
) -> None:
    """Restoring changes every report that hid the post; two moderators restoring through
    two of them at once lock those rows in one order, so one restores and the other is
    told it is done (on PostgreSQL, each holding one row could deadlock into a 500)."""
    thread = await thread_with_a_reply(network)
    node = thread.node
    second_moderator = await node.add_member(role=Role.MODERATOR)
    report_for = {"object": thread.reply["local_id"], "reason": "abusive"}
    for account in (thread.reader, thread.author):
        status, _ = await node.request(
            "POST", "/api/v1/reports", token=account.token, json=report_for
        )
        assert status == 201
    first, second = await reports_in(node, thread.moderator, "open")
    for report_id in (first, second):
        status, _ = await node.request(
            "POST",
            f"/api/v1/admin/reports/{report_id}/decision",
            token=thread.moderator.token,
            json={"action": "hide", "reason": "abusive language"},
        )
        assert status == 200
    outcomes = await asyncio.gather(
        restore(thread, first, thread.moderator),
        node.request(
            "POST",
            f"/api/v1/admin/reports/{second}/restore",
            token=second_moderator.token,
            json={"reason": "restored after review"},
        ),
    )
    assert sorted(status for status, _ in outcomes) == [200, 409], outcomes
    assert set(await reports_in(node, thread.moderator, "restored")) == {first, second}


async def hidden_federated_case(network: NodeNetwork) -> tuple[Thread, TestNode, Account]:
    """A case posted on US, copied to DE, then hidden by a US moderator (on US only)."""
    thread = await thread_with_a_reply(network)
    de = await network.spawn("DE")
    await network.mesh(thread.node, de)
    de_doc = await de.add_member()
    # Posted before the peering: DE catches up on it.
    await de.state.federation.catchup.pull_all()
    await eventually(lambda: first_case(de, de_doc), what="the case on DE")
    await hide(thread.node, thread.reader, thread.moderator, thread.case["id"])
    path = f"/api/v1/cases/{thread.case['local_id']}"
    assert (await thread.node.request("GET", path, token=thread.reader.token))[0] == 404
    return thread, de, de_doc


async def test_the_author_of_a_hidden_case_may_still_delete_it_everywhere(
    network: NodeNetwork,
) -> None:
    thread, de, de_doc = await hidden_federated_case(network)
    node, path = thread.node, f"/api/v1/cases/{thread.case['local_id']}"
    # Another member gets the 404 of a case that never was, not a 403 that says it is there.
    assert (await node.request("DELETE", path, token=thread.reader.token))[0] == 404
    assert (await node.request("DELETE", path, token=thread.author.token))[0] == 204

    async def gone_on_de() -> bool:
        return await first_case(de, de_doc) is None

    await eventually(gone_on_de, what="the hidden case deleted on DE too")


async def test_removing_a_hidden_case_deletes_it_everywhere(network: NodeNetwork) -> None:
    """A "remove" decision on a case an earlier report hid: the decision and the
    deletion both happen (the deletion used to fail with a 404 after the decision had
    been recorded, leaving a report marked removed and the case on every node)."""
    thread, de, de_doc = await hidden_federated_case(network)
    node = thread.node
    status, _ = await node.request(
        "POST",
        "/api/v1/reports",
        token=thread.answerer.token,
        json={"object": thread.case["id"], "reason": "identifiable-patient-data"},
    )
    assert status == 201, _
    [report] = await reports_in(node, thread.moderator, "open")
    status, body = await node.request(
        "POST",
        f"/api/v1/admin/reports/{report}/decision",
        token=thread.moderator.token,
        json={"action": "remove", "reason": "names the patient's school"},
    )
    assert status == 200, body
    assert report in await reports_in(node, thread.moderator, "removed")
    status, problem = await node.request(
        "GET", "/api/v1/admin/reports", token=thread.moderator.token, params={"state": "gone"}
    )
    assert status == 400 and problem["type"].endswith("invalid-query"), problem

    async def gone_on_de() -> bool:
        return await first_case(de, de_doc) is None

    await eventually(gone_on_de, what="the removed case deleted on DE too")


async def test_an_unverified_moderator_or_admin_has_no_powers(network: NodeNetwork) -> None:
    """The role is on record, but their node does not vouch for them (never verified,
    or suspended since): every moderation route refuses their token (it answered 200
    before). The token itself still works for their own status page."""
    thread = await thread_with_a_reply(network)
    node = thread.node
    status, _ = await node.request(
        "POST",
        "/api/v1/reports",
        token=thread.reader.token,
        json={"object": thread.case["id"], "reason": "spam"},
    )
    assert status == 201
    [report] = await reports_in(node, thread.moderator, "open")
    pending_moderator = await node.add_member(role=Role.MODERATOR, verified=False)
    pending_admin = await node.add_member(role=Role.ADMIN, verified=False)
    moderator_routes = [
        ("GET", "/api/v1/admin/reports", None),
        ("GET", "/api/v1/admin/deid/flags", None),
        (
            "POST",
            f"/api/v1/admin/reports/{report}/decision",
            # A valid decision (a reason of 10 characters or more): only the status
            # of who sends it stands between it and the case's deletion everywhere.
            {"action": "remove", "reason": "spam, and nothing else"},
        ),
    ]
    for account in (pending_moderator, pending_admin):
        for method, path, body in moderator_routes:
            status, problem = await node.request(method, path, token=account.token, json=body)
            assert status == 403, (path, problem)
            assert problem["type"].endswith("not-verified"), problem
    status, problem = await node.request(
        "POST",
        "/api/v1/admin/pseudonyms/anon-x/reveal",
        token=pending_admin.token,
        json={"reason": "court order"},
    )
    assert status == 403 and problem["type"].endswith("not-verified"), problem
    await suspend(node, thread.moderator.public_id)
    for method, path, body in moderator_routes:
        status, problem = await node.request(method, path, token=thread.moderator.token, json=body)
        assert status == 403 and problem["type"].endswith("not-verified"), (path, problem)
    # Nothing was decided: the case is still there.
    path = f"/api/v1/cases/{thread.case['local_id']}"
    assert (await node.request("GET", path, token=thread.reader.token))[0] == 200
