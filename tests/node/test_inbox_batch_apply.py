"""The inbox worker applies a burst of Creates of cases together, and a bad one alone.

A peer catching up, or a busy origin, sends cases in bursts; the worker hands a run of
them to the handler at once (a few statements instead of several per case). That must
not change what is stored: every case once, with its specialties and images, none
that was deleted first, and one that cannot be applied fails alone, recorded for a
retry, while the rest of its batch is applied.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select

from federation.inbound.registry import Envelope
from federation.jsonld import normalize
from node.cases.handlers import CreateCase
from node.cases.models import Attachment, Case, CaseSpecialty, Tombstone
from node.db.types import utcnow
from node.inbox import worker as inbox_worker
from node.inbox.context import ApplyContext
from node.inbox.models import InboxEntry
from node.inbox.store import insert_entries
from tests.peering import create_case_activity
from tests.rig import TestNode
from tests.waiting import eventually


@pytest.fixture
def handler_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """How many activities each call of CreateCase.receive_many / receive was given."""
    calls: dict[str, list[int]] = {"many": [], "one": []}
    many, one = CreateCase.receive_many, CreateCase.receive

    async def counting_many(
        self: CreateCase, envelopes: Sequence[Envelope], context: ApplyContext
    ) -> None:
        calls["many"].append(len(envelopes))
        await many(self, envelopes, context)

    async def counting_one(self: CreateCase, envelope: Envelope, context: ApplyContext) -> None:
        calls["one"].append(1)
        await one(self, envelope, context)

    monkeypatch.setattr(CreateCase, "receive_many", counting_many)
    monkeypatch.setattr(CreateCase, "receive", counting_one)
    return calls


async def store_at_once(receiver: TestNode, sender: TestNode, activities: list[Any]) -> None:
    """Store the activities in one transaction, as a burst of POSTs would be, so that
    the worker finds them all in one batch."""
    key_id = sender.state.federation.signing_key.key_id
    envelopes = [
        Envelope(activity=normalize(a), signer_origin=sender.base_url, key_id=key_id, raw=a)
        for a in activities
    ]
    async with receiver.state.db.write() as session:
        assert len(await insert_entries(session, envelopes)) == len(activities)
    receiver.state.federation.inbox_worker.wake.set()


async def settled(receiver: TestNode, activities: list[Any]) -> dict[str, InboxEntry]:
    ids = [activity["id"] for activity in activities]

    async def entries() -> dict[str, InboxEntry]:
        async with receiver.state.db.read() as session:
            rows = await session.scalars(select(InboxEntry).where(InboxEntry.activity_id.in_(ids)))
            return {row.activity_id: row for row in rows}

    async def none_untried() -> bool:
        return all(row.state == "applied" or row.attempts > 0 for row in (await entries()).values())

    await eventually(none_untried, what="every stored activity applied or tried")
    return await entries()


def image(origin: str, name: str) -> dict[str, Any]:
    digest = hashlib.sha256(name.encode()).digest()
    return {
        "type": "Image",
        "url": f"{origin}/media/{name}",
        "mediaType": "image/png",
        "width": 640,
        "height": 480,
        "name": "chest X-ray",
        "digestMultibase": "u" + base64.urlsafe_b64encode(digest).decode().rstrip("="),
    }


async def test_a_burst_of_cases_is_applied_together_each_case_once(
    pair: tuple[TestNode, TestNode], handler_calls: dict[str, list[int]]
) -> None:
    receiver, sender = pair
    origin = sender.base_url
    deleted = create_case_activity(origin, title="deleted before it arrived")
    async with receiver.state.db.write() as session:
        session.add(Tombstone(iri=deleted["object"]["id"], origin=origin, former_type=None))
    first = create_case_activity(origin, title="sent twice")
    again = {**first, "id": f"{first['id']}-redelivered"}  # same case, new activity id
    with_image = create_case_activity(
        origin,
        title="with an image",
        specialty=["pediatrics", "cardiology"],
        attachment=[image(origin, "xray.png")],
    )
    plain = [create_case_activity(origin, title=f"burst {n}") for n in range(20)]
    burst = [first, *plain[:10], deleted, again, with_image, *plain[10:]]

    await store_at_once(receiver, sender, burst)
    entries = await settled(receiver, burst)

    assert {row.state for row in entries.values()} == {"applied"}
    assert handler_calls == {"many": [len(burst)], "one": []}, "applied as one run"
    async with receiver.state.db.read() as session:
        titles = list(await session.scalars(select(Case.title).where(Case.origin == origin)))
        assert sorted(titles) == sorted(
            ["sent twice", "with an image", *(f"burst {n}" for n in range(20))]
        )
        case = await session.scalar(select(Case).where(Case.iri == with_image["object"]["id"]))
        assert case is not None and not case.is_local and case.author_country == "DE"
        codes = await session.scalars(
            select(CaseSpecialty.code)
            .where(CaseSpecialty.case_id == case.id)
            .order_by(CaseSpecialty.position)
        )
        assert list(codes) == ["pediatrics", "cardiology"]
        images = list(
            await session.scalars(select(Attachment).where(Attachment.case_id == case.id))
        )
        assert [(a.iri, a.mime, a.width) for a in images] == [
            (f"{origin}/media/xray.png", "image/png", 640)
        ]


async def test_a_case_that_cannot_be_applied_fails_alone(
    pair: tuple[TestNode, TestNode], handler_calls: dict[str, list[int]]
) -> None:
    receiver, sender = pair
    origin = sender.base_url
    good = [create_case_activity(origin, title=f"good {n}") for n in range(6)]
    # Stored by an older version whose checks were laxer: no title.
    broken = create_case_activity(origin)
    del broken["object"]["nameMap"]
    burst = [*good[:3], broken, *good[3:]]

    await store_at_once(receiver, sender, burst)
    entries = await settled(receiver, burst)

    assert handler_calls["many"][0] == len(burst), "first as one run"
    assert len(handler_calls["one"]) == len(burst), "then one by one"
    bad = entries.pop(broken["id"])
    assert (bad.state, bad.attempts) == ("pending", 1)
    assert bad.last_error and "nameMap" in bad.last_error
    assert {row.state for row in entries.values()} == {"applied"}
    async with receiver.state.db.read() as session:
        titles = await session.scalars(select(Case.title).where(Case.origin == origin))
        assert sorted(titles) == [f"good {n}" for n in range(6)]


async def test_while_activities_stream_in_the_worker_gathers_them(
    pair: tuple[TestNode, TestNode],
    handler_calls: dict[str, list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver, sender = pair
    origin = sender.base_url
    # Long, so that gathering cannot be mistaken for applying at once on a slow
    # machine: gathering takes 2 s, applying a lone case a few milliseconds.
    monkeypatch.setattr(inbox_worker, "GATHER_SECONDS", 2.0)

    # Quiet: a lone activity is applied at once, and so is the next one.
    for n in range(2):
        lone = [create_case_activity(origin, title=f"lone {n}")]
        await store_at_once(receiver, sender, lone)
        await asyncio.wait_for(settled(receiver, lone), timeout=1.5)

    # A burst of three: applied together, and the node is now streaming...
    burst = [create_case_activity(origin, title=f"burst {n}") for n in range(3)]
    await store_at_once(receiver, sender, burst)
    await settled(receiver, burst)
    # ...so the worker waits before its next batch: what arrives meanwhile joins it.
    handler_calls["many"].clear()
    late = [create_case_activity(origin, title=f"late {n}") for n in range(2)]
    for activity in late:
        await store_at_once(receiver, sender, [activity])
        await asyncio.sleep(0.1)
    entries = await settled(receiver, late)
    assert {row.state for row in entries.values()} == {"applied"}
    assert handler_calls["many"] == [2], "the two late cases were applied in one batch"


async def test_a_row_stored_unreadable_fails_alone(pair: tuple[TestNode, TestNode]) -> None:
    # Before a fix in the store, an ASCII body in UTF-16 was kept as text full of
    # NULs; the worker's json.loads then failed for the whole batch, and as the
    # oldest pending row it stalled the inbox for good.
    receiver, sender = pair
    async with receiver.state.db.write() as session:
        session.add(
            InboxEntry(
                activity_id=f"{sender.base_url}/activities/unreadable",
                signer_origin=sender.base_url,
                key_id=sender.state.federation.signing_key.key_id,
                activity='{"type": "Create", ',  # cut short
                raw="{",
                received_at=utcnow(),
                next_attempt_at=utcnow(),
            )
        )
    good = [create_case_activity(sender.base_url, title="after the unreadable one")]
    await store_at_once(receiver, sender, good)
    assert {row.state for row in (await settled(receiver, good)).values()} == {"applied"}
    async with receiver.state.db.read() as session:
        bad = await session.scalar(
            select(InboxEntry).where(InboxEntry.activity_id.like("%/unreadable"))
        )
    assert bad is not None and (bad.state, bad.attempts) == ("pending", 1)
    assert bad.last_error is not None and bad.last_error.startswith("JSONDecodeError")
