"""A deleted case or reply does not live on in the activity logs.

The outbox keeps activities for peers that were away and serves them to nodes that
join later; the inbox keeps what arrived. Neither may keep delivering, serving or
holding the words of a case or reply once it is deleted (outbox/withdraw.py,
inbox/store.py ``forget_applied_bodies``).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from federation.delivery.outcome import Verdict
from federation.inbound.registry import Envelope
from federation.jsonld import CANONICAL_CONTEXT, normalize
from federation.transport import get_json
from node.cases.models import Tombstone
from node.cases.notes import signed_tombstone
from node.db.engine import Database
from node.db.migrate import upgrade
from node.inbox.forget import forget_applied_bodies
from node.inbox.models import InboxEntry
from node.inbox.store import insert_entries
from node.outbox import worker as outbox_worker
from node.outbox.carried import carried
from node.outbox.catchup import CatchUp
from node.outbox.models import OutboxEntry
from tests.node.test_federation_basics import CASE
from tests.node.test_threads import detail, trio  # noqa: F401  (trio is a fixture)
from tests.peering import create_case_activity, post_inbox
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually

CASE_WORD = "Zebracorn"
REPLY_WORD = "Quokkafruit"
KEPT_WORD = "Narwhalbean"


@pytest.fixture
async def pair(network: NodeNetwork) -> tuple[TestNode, TestNode]:
    """A receiver (US) and a sender (DE) that trust each other."""
    receiver = await network.spawn("US")
    sender = await network.spawn("DE")
    await network.mesh(receiver, sender)
    return receiver, sender


def node_activity(node: TestNode, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """An activity of ``node``'s own actor about ``obj``."""
    return {
        "@context": list(CANONICAL_CONTEXT),
        "id": f"{node.base_url}/activities/{uuid.uuid4().hex}",
        "type": kind,
        "actor": f"{node.base_url}/actor",
        "object": obj,
    }


async def bodies_holding(node: TestNode, word: str) -> list[str]:
    """Activity types of outbox and inbox rows whose JSON holds ``word``."""
    async with node.state.db.read() as session:
        sent = await session.scalars(
            select(OutboxEntry.activity_type).where(OutboxEntry.body.contains(word))
        )
        received = await session.scalars(
            select(InboxEntry.state).where(
                InboxEntry.activity.contains(word) | InboxEntry.raw.contains(word)
            )
        )
        return [f"outbox {kind}" for kind in sent] + [f"inbox {state}" for state in received]


async def has_tombstone(node: TestNode, iri: str) -> bool:
    async with node.state.db.read() as session:
        return await session.get(Tombstone, iri) is not None


async def outbox_entries(node: TestNode, iri: str, *, withdrawn: bool) -> int:
    """How many of ``node``'s outbox entries carry the text of ``iri``, withdrawn or not."""
    column = OutboxEntry.withdrawn_at
    async with node.state.db.read() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(
                    OutboxEntry.content_iri == iri,
                    column.is_not(None) if withdrawn else column.is_(None),
                )
            )
            or 0
        )


async def outbox_pages(reader: TestNode, origin: TestNode) -> str:
    """Everything ``reader`` gets from ``origin``'s /outbox, page after page (signed)."""
    state = reader.state
    url: str | None = f"{origin.base_url}/outbox?after=0"
    pages = []
    while url:
        page = await get_json(state.http, url, state.federation.signing_key)
        pages.append(json.dumps(page, ensure_ascii=False))
        url = page.get("next")
    return "".join(pages)


async def answered_from_de(
    us: TestNode, de: TestNode, author: Account, de_doc: Account
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case posted on US with CASE_WORD in its title, and DE's reply with REPLY_WORD."""
    status, case = await us.request(
        "POST", "/api/v1/cases", token=author.token, json={**CASE, "title": f"{CASE_WORD} fever"}
    )
    assert status == 201, case
    de_case = await eventually(lambda: detail(de, de_doc, case["id"]), what="case on DE")
    status, reply = await de.request(
        "POST",
        f"/api/v1/cases/{de_case['local_id']}/replies",
        token=de_doc.token,
        json={"content": f"{REPLY_WORD} allergy?"},
    )
    assert status == 201, reply
    return case, reply


async def test_a_deleted_case_and_its_thread_leave_every_log(
    trio: tuple[TestNode, TestNode, TestNode],  # noqa: F811
) -> None:
    us, de, fr = trio
    author = await us.add_member(name="Alice Carter")
    de_doc = await de.add_member(name="Jonas Weber")
    fr_doc = await fr.add_member(name="Camille Dubois")
    await fr.stop()  # away while the case is posted, answered and deleted
    case, reply = await answered_from_de(us, de, author, de_doc)

    async def relayed() -> bool:
        return bool(await bodies_holding(us, REPLY_WORD))

    await eventually(relayed, what="the reply relayed by the origin")
    assert await bodies_holding(us, CASE_WORD), "the log held the case before the delete"
    status, kept = await us.request(
        "POST", "/api/v1/cases", token=author.token, json={**CASE, "title": f"{KEPT_WORD} rash"}
    )
    assert status == 201, kept

    status, body = await us.request(
        "DELETE", f"/api/v1/cases/{case['local_id']}", token=author.token
    )
    assert status == 204, body

    # The origin withdrew the Create, the thread's Updates and its relay of the reply,
    # and emptied the reply DE had sent it.
    assert await bodies_holding(us, CASE_WORD) == []
    assert await bodies_holding(us, REPLY_WORD) == []

    async def gone_on_de() -> bool:
        return await detail(de, de_doc, case["id"]) is None

    await eventually(gone_on_de, what="the case deleted on DE")
    # DE withdrew the reply it had sent to the origin from its own log.
    assert await outbox_entries(de, reply["id"], withdrawn=True) == 1
    assert await bodies_holding(de, REPLY_WORD) == []  # nor what it received of the thread
    assert await bodies_holding(de, CASE_WORD) == []

    # FR was away for all of it: it gets the other case and the Delete, never the text.
    await fr.start()
    await eventually(lambda: detail(fr, fr_doc, kept["id"]), what="the other case on FR")

    await eventually(lambda: has_tombstone(fr, case["id"]), what="the Delete on FR")
    assert await bodies_holding(fr, CASE_WORD) == []
    assert await bodies_holding(fr, REPLY_WORD) == []
    # A node reading the origin's outbox finds the other case, nothing of this one.
    served = await outbox_pages(fr, us)
    assert KEPT_WORD in served
    assert CASE_WORD not in served and REPLY_WORD not in served


async def stored_json(node: TestNode) -> dict[str, tuple[str, str, str]]:
    """activity id -> (state, activity JSON, raw JSON) of every inbox row."""
    async with node.state.db.read() as session:
        rows = await session.execute(
            select(InboxEntry.activity_id, InboxEntry.state, InboxEntry.activity, InboxEntry.raw)
        )
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


def inbox_row(
    sender: TestNode, activity_id: str, word: str, state: str, **columns: Any
) -> InboxEntry:
    """A stored activity from ``sender`` whose JSON holds ``word``."""
    body = json.dumps({"text": word})
    return InboxEntry(
        activity_id=activity_id,
        signer_origin=sender.base_url,
        key_id="k",
        activity=body,
        raw=body,
        state=state,
        **columns,
    )


async def test_applied_bodies_are_kept_a_day_then_only_their_ids(
    pair: tuple[TestNode, TestNode],
) -> None:
    receiver, sender = pair
    applied = create_case_activity(sender.base_url, title=f"{CASE_WORD} cough")
    assert (await post_inbox(sender, receiver, applied))[0] == 202

    async def is_applied() -> bool:
        return (await stored_json(receiver)).get(applied["id"], ("",))[0] == "applied"

    await eventually(is_applied, what="the activity applied")
    # Rows the worker has not finished with keep their JSON whatever their age.
    waiting = {"pending": "https://x.example/activities/p", "failed": "https://x.example/a/f"}
    long_ago = datetime.now(UTC) - timedelta(days=30)
    async with receiver.state.db.write() as session:
        for state, activity_id in waiting.items():
            session.add(inbox_row(sender, activity_id, KEPT_WORD, state, received_at=long_ago))

    # Within the day nothing is forgotten; a day later the applied JSON is.
    assert await forget_applied_bodies(receiver.state.db, datetime.now(UTC)) == 0
    assert CASE_WORD in (await stored_json(receiver))[applied["id"]][2]
    later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    assert await forget_applied_bodies(receiver.state.db, later) == 1
    stored = await stored_json(receiver)
    assert stored[applied["id"]] == ("applied", "", "")
    for state, activity_id in waiting.items():
        assert stored[activity_id][0] == state and KEPT_WORD in stored[activity_id][2]
    assert await forget_applied_bodies(receiver.state.db, later) == 0

    # The id is what recognises a redelivery: nothing is stored or applied again.
    reader = await receiver.add_member()
    # (signed anew, as a peer's retry is: the first signature is a replay by now)
    redelivery = await post_inbox(
        sender, receiver, applied, created=datetime.now(UTC) + timedelta(seconds=2)
    )
    assert redelivery[0] == 202, redelivery
    assert len(await stored_json(receiver)) == 3
    _, listing = await receiver.request("GET", "/api/v1/cases", token=reader.token)
    assert [item["title"] for item in listing["items"]] == [f"{CASE_WORD} cough"]


async def test_the_upgrade_fills_what_logged_activities_carry_and_withdraws_deleted_ones(
    database_url: str,
) -> None:
    origin = "https://ca.example"
    gone, live = f"{origin}/cases/gone", f"{origin}/cases/live"

    def create(obj: dict[str, Any]) -> str:
        return json.dumps({"id": f"{origin}/a/{obj['id']}", "type": "Create", "object": obj})

    logged = [
        create({"id": gone, "type": "Case", "nameMap": {"en": CASE_WORD}}),
        create({"id": f"{gone}/r1", "type": "Note", "thread": gone, "content": REPLY_WORD}),
        create({"id": live, "type": "Case", "nameMap": {"en": KEPT_WORD}}),
        create({"id": f"{live}/r1", "type": "Note", "thread": live, "content": KEPT_WORD}),
        json.dumps({"id": f"{origin}/a/v", "type": "View", "object": live}),
        "not JSON at all",
    ]
    db = Database(database_url, pool_size=1)
    try:
        await upgrade(db, "0020")
        async with db.write() as session:
            for n, body in enumerate(logged):
                await session.execute(
                    text(
                        "INSERT INTO outbox (activity_id, activity_type, body, created_at) "
                        "VALUES (:id, 'Create', :body, :at)"
                    ),
                    {"id": f"a{n}", "body": body, "at": datetime(2026, 11, 1)},
                )
            await session.execute(
                text(
                    "INSERT INTO tombstones (iri, origin, former_type, deleted_at) "
                    "VALUES (:iri, :origin, 'Case', :at)"
                ),
                {"iri": gone, "origin": origin, "at": datetime(2026, 11, 2)},
            )
            # Received: logged[0..3] again, as failed, pending, applied and failed rows.
            for n, state in enumerate(("failed", "pending", "applied", "failed")):
                await session.execute(
                    text(
                        "INSERT INTO inbox (activity_id, signer_origin, key_id, activity, raw,"
                        " received_at, state, attempts, next_attempt_at) VALUES (:id, :origin,"
                        " 'k', :body, :body, :at, :state, 0, :at)"
                    ),
                    {
                        "id": f"in{n}",
                        "origin": origin,
                        "body": logged[n],
                        "at": datetime(2026, 11, 1),
                        "state": state,
                    },
                )
        await upgrade(db)
        async with db.read() as session:
            received = (
                await session.execute(
                    select(InboxEntry.thread_iri, InboxEntry.content_iri, InboxEntry.raw).order_by(
                        InboxEntry.id
                    )
                )
            ).all()
        assert [tuple(row) for row in received] == [
            (gone, gone, ""),  # failed, of a deleted case: forgotten
            (gone, f"{gone}/r1", logged[1]),  # pending: the worker still needs it
            (None, None, logged[2]),  # applied: the janitor's, within a day
            (live, f"{live}/r1", logged[3]),  # failed, of a live case: kept
        ]
        async with db.read() as session:
            rows = (
                await session.execute(
                    select(
                        OutboxEntry.thread_iri,
                        OutboxEntry.content_iri,
                        OutboxEntry.withdrawn_at.is_not(None),
                        OutboxEntry.body,
                    ).order_by(OutboxEntry.seq)
                )
            ).all()
    finally:
        await db.close()
    assert [tuple(row[:3]) for row in rows] == [
        (gone, gone, True),
        (gone, f"{gone}/r1", True),
        (live, live, False),
        (live, f"{live}/r1", False),
        (None, None, False),
        (None, None, False),
    ]
    assert [row[3] for row in rows] == ["", "", *logged[2:]]


async def test_a_deleted_reply_leaves_the_logs_of_its_node_and_the_origin(
    trio: tuple[TestNode, TestNode, TestNode],  # noqa: F811
) -> None:
    us, de, _ = trio
    author = await us.add_member(name="Alice Carter")
    de_doc = await de.add_member(name="Jonas Weber")
    case, reply = await answered_from_de(us, de, author, de_doc)

    async def relayed() -> bool:
        return await bodies_holding(de, REPLY_WORD) == ["outbox Create", "inbox applied"]

    await eventually(relayed, what="the reply relayed back to DE by the origin")
    assert await bodies_holding(us, REPLY_WORD) == ["outbox Announce", "inbox applied"]

    status, body = await de.request(
        "DELETE", f"/api/v1/replies/{reply['local_id']}", token=de_doc.token
    )
    assert status == 204, body
    assert await bodies_holding(de, REPLY_WORD) == []

    async def withdrawn_at_origin() -> bool:
        return await bodies_holding(us, REPLY_WORD) == []

    await eventually(withdrawn_at_origin, what="the origin's relay withdrawn")
    assert await outbox_entries(us, case["id"], withdrawn=False), "the case's own entries stay"


async def test_a_peer_cannot_tombstone_a_case_that_is_not_its_own(
    pair: tuple[TestNode, TestNode],
) -> None:
    """An Announce of a tombstone names a reply of the sender's thread; naming one of
    our cases instead leaves no tombstone (which would serve the case as deleted and
    let a migration withdraw it)."""
    us, de = pair
    author = await us.add_member()
    status, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case
    forged = signed_tombstone(
        iri=case["id"],
        deleted=datetime.now(UTC),
        private_key=de.state.key.private_key,
        key_id=de.state.federation.signing_key.key_id,
    )
    announce = node_activity(de, "Announce", forged)
    status, problem = await post_inbox(de, us, announce)
    assert status in (202, 403), problem

    async def settled() -> bool:
        state = (await stored_json(us)).get(announce["id"], ("",))[0]
        return status == 403 or state in ("applied", "failed")

    await eventually(settled, what="the Announce applied or refused")
    assert not await has_tombstone(us, case["id"])
    status, body = await us.request("GET", f"/api/v1/cases/{case['local_id']}", token=author.token)
    assert status == 200, body


def test_what_an_activity_carries_is_read_as_handlers_read_it() -> None:
    note = {"id": "https://de.example/replies/1", "type": "Note", "content": "x"}
    case = "https://us.example/cases/1"
    assert carried({"type": "Create", "object": {**note, "thread": case}}) == (case, note["id"])
    embedded = {**note, "thread": {"id": case, "type": "Case"}}  # as id_of() accepts it
    assert carried({"type": "Announce", "object": embedded}) == (case, note["id"])
    assert carried({"type": "Update", "object": {"id": case, "type": "Case"}}) == (case, case)
    assert carried({"type": "Like", "object": note["id"]}) == (None, None)
    assert carried({"type": "Delete", "object": {"id": case, "type": "Tombstone"}}) == (None, None)
    malformed = {**note, "thread": ["a", "b"], "id": 7}
    assert carried({"type": "Create", "object": malformed}) == (None, None)


async def test_a_case_created_and_deleted_in_one_batch_leaves_no_text(
    pair: tuple[TestNode, TestNode],
) -> None:
    receiver, sender = pair
    create = create_case_activity(sender.base_url, title=f"{CASE_WORD} burst")
    iri = create["object"]["id"]
    delete = node_activity(sender, "Delete", {"id": iri, "type": "Tombstone"})
    key_id = sender.state.federation.signing_key.key_id
    envelopes = [
        Envelope(activity=normalize(a), signer_origin=sender.base_url, key_id=key_id, raw=a)
        for a in (create, delete)
    ]
    async with receiver.state.db.write() as session:  # one batch for the worker
        assert len(await insert_entries(session, envelopes)) == 2
    receiver.state.federation.inbox_worker.wake.set()

    async def both_applied() -> bool:
        states = {row[0] for row in (await stored_json(receiver)).values()}
        return states == {"applied"}

    await eventually(both_applied, what="the Create and the Delete applied")
    assert await bodies_holding(receiver, CASE_WORD) == []


async def test_failed_activities_about_an_object_lose_its_text_when_it_is_deleted(
    pair: tuple[TestNode, TestNode],
) -> None:
    """An edit or relay that failed for want of its object keeps its JSON for the
    operator; once the object's deletion arrives, not its text."""
    receiver, sender = pair
    case = f"{sender.base_url}/cases/never-arrived"
    reply = f"{sender.base_url}/replies/never-arrived"
    failed = {
        f"{sender.base_url}/activities/update-case": (case, case, CASE_WORD),
        f"{sender.base_url}/activities/update-note": (None, reply, REPLY_WORD),
        f"{sender.base_url}/activities/other": (None, "https://x.example/r", KEPT_WORD),
    }
    async with receiver.state.db.write() as session:
        for activity_id, (thread, content, word) in failed.items():
            session.add(
                inbox_row(
                    sender, activity_id, word, "failed", thread_iri=thread, content_iri=content
                )
            )

    tombstone = signed_tombstone(
        iri=reply,
        deleted=datetime.now(UTC),
        private_key=sender.state.key.private_key,
        key_id=sender.state.federation.signing_key.key_id,
    )
    for activity in (
        node_activity(sender, "Delete", {"id": case, "type": "Tombstone"}),
        node_activity(sender, "Announce", tombstone),
    ):
        status, problem = await post_inbox(sender, receiver, activity)
        assert status == 202, problem

    async def forgotten() -> bool:
        stored = await stored_json(receiver)
        return not any(CASE_WORD in row[2] or REPLY_WORD in row[2] for row in stored.values())

    await eventually(forgotten, what="the failed rows' text forgotten")
    stored = await stored_json(receiver)
    assert KEPT_WORD in stored[f"{sender.base_url}/activities/other"][2]
    assert {stored[activity_id][0] for activity_id in failed} == {"failed"}


async def test_text_deleted_while_its_batch_goes_out_is_not_sent(
    pair: tuple[TestNode, TestNode], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker reads up to 50 entries and sends them one by one: one withdrawn in
    between is skipped, and only its Delete follows."""
    us, de = pair
    author = await us.add_member()
    await de.stop()
    kept, doomed = [
        (
            await us.request(
                "POST", "/api/v1/cases", token=author.token, json={**CASE, "title": title}
            )
        )[1]
        for title in (f"{KEPT_WORD} rash", f"{CASE_WORD} fever")
    ]
    send = outbox_worker.post_activity
    deleted: list[int] = []

    async def deleting_after_the_first(http: Any, url: str, body: bytes, key: Any) -> Any:
        outcome = await send(http, url, body, key)
        if url.startswith(de.base_url) and outcome.verdict is Verdict.DELIVERED and not deleted:
            # The kept case is delivered; the doomed one is next in the same batch.
            path = f"/api/v1/cases/{doomed['local_id']}"
            deleted.append((await us.request("DELETE", path, token=author.token))[0])
        return outcome

    monkeypatch.setattr(outbox_worker, "post_activity", deleting_after_the_first)

    async def no_pull(self: CatchUp) -> int:
        return 0  # DE would read both cases from the outbox on start: pushes only here

    monkeypatch.setattr(CatchUp, "pull_all", no_pull)
    await de.start()

    await eventually(lambda: has_tombstone(de, doomed["id"]), what="the Delete on DE")
    assert deleted == [204]
    reader = await de.add_member()
    assert await detail(de, reader, kept["id"]) is not None
    # Never received, not only forgotten on arrival of the Delete: no row for it.
    async with us.state.db.read() as session:
        create_id = await session.scalar(
            select(OutboxEntry.activity_id).where(
                OutboxEntry.content_iri == doomed["id"], OutboxEntry.activity_type == "Create"
            )
        )
    assert create_id is not None
    assert create_id not in await stored_json(de)
