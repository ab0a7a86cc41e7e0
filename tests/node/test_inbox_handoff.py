"""The worker applies what this process just stored from memory, and only what was
committed; rows it did not store here (another process, before a restart) are read
back from the database as before (tests/node/test_federation_durability.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from federation.inbound.registry import Envelope
from node.cases.models import Case
from node.inbox import store as inbox_store
from node.inbox.handoff import FreshActivities
from node.inbox.models import InboxEntry
from tests.peering import create_case_activity, post_inbox
from tests.rig import TestNode
from tests.waiting import eventually


def envelope(n: int, size: int = 100) -> Envelope:
    return Envelope(
        activity={"id": f"https://de.example/activities/{n}", "type": "Create"},
        signer_origin="https://de.example",
        key_id="https://de.example/actor#main-key",
        raw_json="x" * size,
    )


def activity_id(n: int) -> str:
    return f"https://de.example/activities/{n}"


def test_memory_is_bounded_and_keeps_what_the_worker_needs_next() -> None:
    fresh = FreshActivities(capacity=3)
    fresh.put(envelope(n) for n in range(5))
    # The worker goes oldest first: when full, the newest are left to be read back.
    assert [fresh.get(activity_id(n)) is not None for n in range(5)] == [True] * 3 + [False] * 2
    kept = fresh.get(activity_id(0))
    assert kept is not None and kept.raw_json is None, "the wire text is not kept"
    fresh.discard([activity_id(0), activity_id(1)])
    fresh.put([envelope(5)])
    assert fresh.get(activity_id(5)) is not None and len(fresh) == 2


def test_large_activities_and_a_full_budget_are_left_to_the_rows() -> None:
    fresh = FreshActivities(max_total_bytes=1000)
    fresh.put([envelope(0, size=100_000)])  # over the size of one entry
    assert fresh.get(activity_id(0)) is None
    fresh.put(envelope(n, size=400) for n in range(1, 4))  # the third would pass 1000
    assert [fresh.get(activity_id(n)) is not None for n in range(1, 4)] == [True, True, False]
    fresh.discard([activity_id(1)])
    fresh.put([envelope(3, size=400)])
    assert fresh.get(activity_id(3)) is not None, "room again once one was applied"


def test_entries_nobody_took_expire() -> None:
    # On PostgreSQL another node process may apply a row this one stored.
    fresh = FreshActivities(expires_seconds=0.0)
    fresh.put([envelope(0)])
    fresh.put([envelope(1)])  # each put first drops what has expired
    assert fresh.get(activity_id(0)) is None


@pytest.fixture
def json_reads(pair: tuple[TestNode, TestNode]) -> Iterator[list[str]]:
    """Statements the receiver runs that read stored activity JSON back."""
    receiver, _ = pair
    engine = receiver.state.db._writer.sync_engine  # the worker's transactions
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "inbox.activity," in statement and "inbox.raw" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)


async def case_titles(node: TestNode) -> list[str]:
    async with node.state.db.read() as session:
        return list(await session.scalars(select(Case.title).where(Case.is_local.is_(False))))


async def test_a_posted_case_is_applied_without_reading_it_back(
    pair: tuple[TestNode, TestNode], json_reads: list[str]
) -> None:
    receiver, sender = pair
    for n in range(3):
        activity = create_case_activity(sender.base_url, title=f"Posted {n}")
        status, _ = await post_inbox(sender, receiver, activity)
        assert status == 202

    async def all_applied() -> bool:
        return sorted(await case_titles(receiver)) == ["Posted 0", "Posted 1", "Posted 2"]

    await eventually(all_applied, what="the three cases applied")
    assert json_reads == [], "the worker took the activities from memory"


async def test_a_store_that_failed_leaves_nothing_to_apply(
    pair: tuple[TestNode, TestNode], monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, sender = pair
    activity = create_case_activity(sender.base_url, title="Sent twice")
    mark_seen = inbox_store._mark_seen

    async def failing(*args: Any) -> None:
        await mark_seen(*args)
        raise RuntimeError("disk full")  # after the insert, before the commit

    monkeypatch.setattr(inbox_store, "_mark_seen", failing)
    status, _ = await post_inbox(sender, receiver, activity)
    assert status == 500
    monkeypatch.setattr(inbox_store, "_mark_seen", mark_seen)
    receiver.state.federation.inbox_worker.wake.set()
    async with receiver.state.db.read() as session:
        assert await session.scalar(select(InboxEntry.id)) is None, "rolled back"
    assert await case_titles(receiver) == []
    fresh = receiver.state.federation.inbox_store._fresh
    assert fresh.get(activity["id"]) is None, "a rolled-back activity is not kept to apply"

    # The sender retries (a new signature, the same activity): stored and applied once.
    status, _ = await post_inbox(sender, receiver, activity)
    assert status == 202

    async def applied_once() -> bool:
        return await case_titles(receiver) == ["Sent twice"]

    await eventually(applied_once, what="the retried case applied")


async def test_entries_handed_over_before_a_failed_commit_are_taken_back(
    pair: tuple[TestNode, TestNode], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store hands new activities over just before its transaction commits; if
    the transaction does not commit after all, nothing of it stays in memory."""
    receiver, sender = pair
    activity = create_case_activity(sender.base_url, title="Never committed")
    fresh = receiver.state.federation.inbox_store._fresh
    put = fresh.put

    def put_then_fail(envelopes: Any) -> None:
        put(envelopes)
        assert fresh.get(activity["id"]) is not None
        raise RuntimeError("disk full")  # the transaction rolls back

    monkeypatch.setattr(fresh, "put", put_then_fail)
    status, _ = await post_inbox(sender, receiver, activity)
    assert status == 500
    assert fresh.get(activity["id"]) is None, "taken back"
    async with receiver.state.db.read() as session:
        assert await session.scalar(select(InboxEntry.id)) is None, "rolled back"
