"""The inbox under concurrent POSTs: stored together, answered one by one.

POSTs that arrive while a write is under way are stored in one transaction (group
commit), with keys kept in memory between requests. Neither may change what a sender
sees: every accepted activity is stored before its 202, a refused one (replayed
signature, removed peer, rotated-out key) refuses only itself, and an activity the
database rejects does not take the others of its batch down with it.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from federation.inbound.errors import Unauthenticated
from federation.inbound.pipeline import Accepted, TrustedKey
from federation.inbound.registry import Envelope
from federation.jsonld import normalize
from federation.signatures.keys import generate_private_key
from node.identity.keys import rotate_key
from node.inbox import store as inbox_store
from node.inbox.models import InboxEntry
from node.inbox.store import InboxStore
from node.peers.models import Peer
from node.peers.service import remove_peer
from tests.peering import create_case_activity, inbox_count, post_inbox
from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually


async def titles(node: TestNode, token: str) -> list[str]:
    _, body = await node.request("GET", "/api/v1/cases?limit=100", token=token)
    return [item["title"] for item in body["items"]]


async def sender_key(receiver: TestNode, sender: TestNode) -> TrustedKey:
    key = await receiver.state.federation.pipeline.keys.resolve(
        sender.state.federation.signing_key.key_id
    )
    assert key is not None
    return key


def accepted(
    key: TrustedKey, activity: dict[str, Any], fingerprint: bytes | None = None
) -> Accepted:
    """What the pipeline hands the store for a POST that passed its checks."""
    envelope = Envelope(
        activity=normalize(activity), signer_origin=key.origin, key_id=key.key_id, raw=activity
    )
    return Accepted(
        envelope=envelope,
        signature_fingerprint=fingerprint or os.urandom(32),
        remember_until=datetime.now(UTC) + timedelta(minutes=10),
        key=key,
    )


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every write transaction the inbox store opens."""
    sizes: list[int] = []
    write = InboxStore._write

    async def counting(self: InboxStore, batch: Any) -> Any:
        sizes.append(len(batch))
        return await write(self, batch)

    monkeypatch.setattr(InboxStore, "_write", counting)
    return sizes


async def test_concurrent_posts_are_each_stored_and_applied(
    pair: tuple[TestNode, TestNode],
) -> None:
    receiver, sender = pair
    reader = await receiver.add_member()
    before = await inbox_count(receiver)
    names = [f"concurrent {n}" for n in range(12)]
    answers = await asyncio.gather(
        *(
            post_inbox(sender, receiver, create_case_activity(sender.base_url, title=name))
            for name in names
        )
    )
    assert [status for status, _ in answers] == [202] * len(names)
    # A 202 means stored: nothing to wait for.
    assert await inbox_count(receiver) == before + len(names)

    async def all_shown() -> bool:
        return set(names) <= set(await titles(receiver, reader.token))

    await eventually(all_shown, what="every concurrently posted case")


async def test_one_batch_stores_the_good_and_refuses_only_the_bad(
    pair: tuple[TestNode, TestNode], batches: list[int]
) -> None:
    receiver, sender = pair
    store: InboxStore = receiver.state.federation.inbox_store
    key = await sender_key(receiver, sender)
    stranger = TrustedKey(
        key_id="https://evil.example/actor#main",
        public_key=generate_private_key().public_key(),
        origin="https://evil.example",
    )
    seen = os.urandom(32)
    assert await store.store(accepted(key, create_case_activity(sender.base_url), seen))
    before = await inbox_count(receiver)
    batches.clear()

    twice = create_case_activity(sender.base_url, title="sent twice")
    requests = [
        accepted(key, create_case_activity(sender.base_url, title="good 1")),
        accepted(key, create_case_activity(sender.base_url), seen),  # replayed signature
        accepted(stranger, create_case_activity(sender.base_url)),  # not a peer's key
        accepted(key, twice),
        accepted(key, twice),  # the same activity again, signed anew
        accepted(key, create_case_activity(sender.base_url, title="good 2")),
    ]
    outcomes = await asyncio.gather(
        *(store.store(request) for request in requests), return_exceptions=True
    )

    assert batches == [len(requests)], "the concurrent requests share one transaction"
    assert outcomes[0] is True and outcomes[5] is True
    assert isinstance(outcomes[1], Unauthenticated) and "replay" in str(outcomes[1])
    assert isinstance(outcomes[2], Unauthenticated) and "peer" in str(outcomes[2])
    assert (outcomes[3], outcomes[4]) == (True, False)
    assert await inbox_count(receiver) == before + 3


async def test_an_activity_the_database_rejects_does_not_spoil_its_batch(
    pair: tuple[TestNode, TestNode], batches: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, sender = pair
    store: InboxStore = receiver.state.federation.inbox_store
    key = await sender_key(receiver, sender)
    poison = create_case_activity(sender.base_url, title="poison")
    insert = inbox_store.insert_entries

    async def failing(session: Any, envelopes: Any) -> set[str]:
        envelopes = list(envelopes)
        if any(envelope.id == poison["id"] for envelope in envelopes):
            raise ValueError("the database refused this row")
        return await insert(session, envelopes)

    monkeypatch.setattr(inbox_store, "insert_entries", failing)
    reader = await receiver.add_member()
    before = await inbox_count(receiver)
    good = [create_case_activity(sender.base_url, title=f"survivor {n}") for n in range(3)]
    outcomes = await asyncio.gather(
        *(store.store(accepted(key, activity)) for activity in [good[0], poison, *good[1:]]),
        return_exceptions=True,
    )
    assert outcomes[0] is True and outcomes[2:] == [True, True]
    assert isinstance(outcomes[1], ValueError)
    # The batch failed as a whole, then each was written on its own.
    assert batches == [4, 1, 1, 1, 1]
    assert await inbox_count(receiver) == before + 3
    receiver.state.federation.inbox_worker.wake.set()

    async def survivors_shown() -> bool:
        return {"survivor 0", "survivor 1", "survivor 2"} <= set(
            await titles(receiver, reader.token)
        )

    await eventually(survivors_shown, what="the rest of the batch applied")


async def test_a_removed_peer_is_refused_although_its_key_is_cached(
    pair: tuple[TestNode, TestNode],
) -> None:
    receiver, sender = pair
    for _ in range(2):  # the second POST is checked with the cached key
        assert (await post_inbox(sender, receiver, create_case_activity(sender.base_url)))[0] == 202
    async with receiver.state.db.write() as session:
        assert await remove_peer(session, sender.base_url, actor_label="test")
    count = await inbox_count(receiver)
    for _ in range(2):
        status, problem = await post_inbox(sender, receiver, create_case_activity(sender.base_url))
        assert status == 401, problem
    assert await inbox_count(receiver) == count


async def test_a_rotated_out_key_is_refused_although_it_was_cached(
    network: NodeNetwork,
) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    old_key = us.state.key
    old_key_id = us.state.federation.signing_key.key_id
    # DE checks US's POSTs with the key it keeps in memory.
    assert (await post_inbox(us, de, create_case_activity(us.base_url)))[0] == 202

    rotate_key(us.data_dir / "keys", us.base_url)
    await us.restart()
    assert (await post_inbox(us, de, create_case_activity(us.base_url)))[0] == 202
    async with de.state.db.read() as session:
        peer = await session.scalar(select(Peer).where(Peer.origin == us.base_url))
    assert peer is not None and peer.key_id == us.state.federation.signing_key.key_id

    count = await inbox_count(de)
    body = json.dumps(create_case_activity(us.base_url)).encode()
    for _ in range(2):
        status, _ = await post_inbox(us, de, body, key=old_key.private_key, key_id=old_key_id)
        assert status == 401
    assert await inbox_count(de) == count


async def test_under_load_a_batch_gathers_the_posts_that_follow_it(
    pair: tuple[TestNode, TestNode], batches: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, sender = pair
    store: InboxStore = receiver.state.federation.inbox_store
    key = await sender_key(receiver, sender)
    # Long, so that neither outcome below can be mistaken for the other on a slow
    # machine: gathering takes 2 s, writing at once a few milliseconds.
    monkeypatch.setattr(inbox_store, "GATHER_SECONDS", 2.0)

    def post() -> Any:
        return store.store(accepted(key, create_case_activity(sender.base_url)))

    # Quiet: a lone POST is written at once.
    await asyncio.wait_for(post(), timeout=1.5)
    # A burst of three arrives together: written together, and the node is now busy.
    await asyncio.gather(post(), post(), post())
    batches.clear()
    first = asyncio.create_task(post())
    await asyncio.sleep(0.1)
    assert await asyncio.gather(first, post(), post()) == [True, True, True]
    assert batches == [3], "the two later POSTs joined the first one's batch"

    # That batch held three, so the next waits too; it holds one, so the node is
    # quiet again and the POST after it is written at once.
    await post()
    await asyncio.wait_for(post(), timeout=1.5)
    assert batches == [3, 1, 1]


async def stored_raw(node: TestNode, activity_id: str) -> str | None:
    async with node.state.db.read() as session:
        return await session.scalar(
            select(InboxEntry.raw).where(InboxEntry.activity_id == activity_id)
        )


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode(), id="utf-8"),
        pytest.param(lambda text: codecs.BOM_UTF8 + text.encode(), id="utf-8 with BOM"),
        pytest.param(lambda text: text.encode("utf-16"), id="utf-16"),
        # An ASCII document in UTF-16 without a byte order mark is valid UTF-8 as well,
        # full of NULs: it must not be stored as that text.
        pytest.param(lambda text: text.encode("utf-16-le"), id="utf-16-le without BOM"),
        pytest.param(lambda text: text.encode("utf-32-be"), id="utf-32-be without BOM"),
    ],
)
async def test_the_body_is_kept_as_sent_and_every_json_encoding_is_applied(
    pair: tuple[TestNode, TestNode], encode: Any
) -> None:
    receiver, sender = pair
    reader = await receiver.add_member()
    activity = create_case_activity(sender.base_url, title="Fievre prolongee - 6 ans")
    text = json.dumps(activity, ensure_ascii=False, indent=1)  # not how the node writes JSON
    status, problem = await post_inbox(sender, receiver, encode(text))
    assert status == 202, problem
    raw = await stored_raw(receiver, activity["id"])
    assert raw is not None and json.loads(raw) == activity
    if encode(text) == text.encode():
        assert raw == text  # plain UTF-8 is stored byte for byte, not serialized again

    async def shown() -> bool:
        return "Fievre prolongee - 6 ans" in await titles(receiver, reader.token)

    await eventually(shown, what="the case, applied from its stored body")


async def test_a_peer_is_marked_seen_once_a_minute_not_per_batch(
    pair: tuple[TestNode, TestNode], monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, sender = pair
    marked: list[set[str]] = []
    mark_seen = inbox_store._mark_seen

    async def recording(session: Any, origins: set[str], now: datetime) -> None:
        marked.append(set(origins))
        await mark_seen(session, origins, now)

    monkeypatch.setattr(inbox_store, "_mark_seen", recording)

    async def last_seen() -> datetime | None:
        async with receiver.state.db.read() as session:
            return await session.scalar(
                select(Peer.last_seen_at).where(Peer.origin == sender.base_url)
            )

    for _ in range(3):
        assert (await post_inbox(sender, receiver, create_case_activity(sender.base_url)))[0] == 202
    first = await last_seen()
    assert first is not None
    assert [origins for origins in marked if origins] == [{sender.base_url}]

    # A minute later (as this store remembers it), the next POST marks it again.
    store: InboxStore = receiver.state.federation.inbox_store
    store._seen_marked[sender.base_url] -= inbox_store.SEEN_RESOLUTION
    async with receiver.state.db.write() as session:  # as if last seen long ago
        await session.execute(
            update(Peer)
            .where(Peer.origin == sender.base_url)
            .values(last_seen_at=first - inbox_store.SEEN_RESOLUTION)
        )
    assert (await post_inbox(sender, receiver, create_case_activity(sender.base_url)))[0] == 202
    again = await last_seen()
    assert again is not None and again >= first
