"""Nothing identifying an anonymous author leaves their node: not in any activity sent,
not in anything peers store (their database files are searched byte by byte)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from node.members.service import NewMember, add_member, issue_token
from node.outbox.models import OutboxEntry
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork, TestNode
from tests.waiting import eventually

NAME = "Zelda Quixote-Marchetti"
EMAIL = "zelda.quixote@hospital-secret.example"
LICENCE = "LIC-98765-Q"


def database_bytes(node: TestNode) -> bytes:
    """The SQLite file with its write-ahead log, and every file in the data folder."""
    database = Path(make_url(node.config.sqlalchemy_url).database or "")
    files = [database, database.with_name(database.name + "-wal"), *Path(node.data_dir).rglob("*")]
    return b"".join(path.read_bytes() for path in files if path.is_file())


@pytest.mark.sqlite_only  # the byte-level search of peers' storage reads SQLite files
async def test_anonymous_author_never_leaves_the_node(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    fr = await network.spawn("FR")
    await network.mesh(us, de, fr)
    async with us.state.db.write() as session:
        member = await add_member(
            session,
            NewMember(
                email=EMAIL, name=NAME, specialty="nephrology", licence=LICENCE, verified=True
            ),
            actor="test",
        )
        token = await issue_token(session, member, label="t", actor="test")
        public_id, internal_id = member.public_id, member.id
    de_author = await de.add_member()
    fr_reader = await fr.add_member()

    # An anonymous case, an anonymous reply on another node's case, a vote, a helpful mark.
    status, _ = await us.request(
        "POST", "/api/v1/cases", token=token, json={**CASE, "anonymous": True}
    )
    assert status == 201
    _, de_case = await de.request(
        "POST", "/api/v1/cases", token=de_author.token, json={**CASE, "title": "DE case"}
    )
    await de.request(
        "POST",
        f"/api/v1/cases/{de_case['local_id']}/replies",
        token=de_author.token,
        json={"content": "A named reply to mark helpful."},
    )

    async def de_case_on_us() -> str | None:
        _, listing = await us.request("GET", "/api/v1/cases", token=token)
        return next((i["local_id"] for i in listing["items"] if i["title"] == "DE case"), None)

    local = await eventually(de_case_on_us, what="DE case on US")
    status, _ = await us.request(
        "POST",
        f"/api/v1/cases/{local}/replies",
        token=token,
        json={"content": "Anonymous thoughts on this.", "anonymous": True},
    )
    assert status == 201

    async def placed() -> str | None:
        _, detail = await us.request("GET", f"/api/v1/cases/{local}", token=token)
        named = next((r for r in detail["replies"] if not r["author"]["anonymous"]), None)
        return named["local_id"] if named and len(detail["replies"]) == 2 else None

    named_reply = await eventually(placed, within=30, what="replies placed")
    assert (await us.request("POST", f"/api/v1/replies/{named_reply}/helpful", token=token))[
        0
    ] == 201

    async def everywhere() -> bool:
        _, listing = await fr.request("GET", "/api/v1/cases", token=fr_reader.token)
        if len(listing["items"]) != 2:
            return False
        for item in listing["items"]:
            _, detail = await fr.request(
                "GET", f"/api/v1/cases/{item['local_id']}", token=fr_reader.token
            )
            if item["title"] == "DE case" and (
                len(detail["replies"]) != 2
                or not any(r["helpful_count"] for r in detail["replies"])
            ):
                return False
        return True

    await eventually(everywhere, within=30, what="thread complete on FR")

    secrets = [NAME, EMAIL, LICENCE, public_id, f"/members/{public_id}", "Zelda", "Quixote"]
    async with us.state.db.read() as session:
        sent = (await session.scalars(select(OutboxEntry.body))).all()
    assert sent, "activities were sent"
    for body in sent:
        for secret in secrets:
            assert secret not in body, f"{secret!r} in an outgoing activity: {body[:300]}"
    # The search does find what is stored: the author's own node holds all of it.
    home = database_bytes(us)
    assert NAME.encode() in home and EMAIL.encode() in home and LICENCE.encode() in home
    for peer in (de, fr):
        stored = database_bytes(peer)
        assert stored
        for secret in secrets:
            assert secret.encode() not in stored, f"{secret!r} stored on {peer.config.country}"
    # The internal id never appears as a member reference in what was sent.
    assert all(f'/members/{internal_id}"' not in body for body in sent)
