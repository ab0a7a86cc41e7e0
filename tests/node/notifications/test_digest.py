"""The email digest through a real SMTP server (aiosmtpd): once per period, in the
member's language, nothing about anyone else, and nothing lost or doubled by a crash."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from node.db.types import utcnow
from node.members.service import set_locale
from node.notifications.digest import (
    SEND_LEASE,
    claim_due_digests,
    lease_due_digests,
    run_digests,
)
from node.notifications.models import Digest, NotificationSettings
from node.runner import port_for_another_process
from tests.node.notifications.support import (
    follow,
    member_id,
    post_case,
    wait_for_notifications,
)
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually

DAY = timedelta(days=1)


def free_port() -> int:
    """For a server another process (or a later bind) takes: see the helper."""
    return port_for_another_process()


@dataclass
class Mailbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    refusing: bool = False  # answer every message with a temporary failure

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def smtp(port: int) -> dict[str, Any]:
    return {
        "mail_delivery": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        # Half a day away: no digest slot passes while a test runs.
        "digest_hour": (utcnow().hour + 12) % 24,
        "digest_check_seconds": 3600.0,  # the job's own rounds stay out of the way
    }


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


async def opt_in(node: TestNode, account: Account, frequency: str = "daily") -> None:
    status, body = await node.request(
        "PATCH",
        "/api/v1/me/notification-settings",
        token=account.token,
        json={"digest": frequency},
    )
    assert status == 200, body


async def opted_in_days_ago(node: TestNode, account: Account, days: int) -> None:
    """As if the member had opted in ``days`` ago (the period has ended since)."""
    async with node.state.db.write() as session:
        await session.execute(
            update(NotificationSettings)
            .where(NotificationSettings.member_id == await member_id(node, account))
            .values(digest_since=utcnow() - days * DAY)
        )


async def digests(node: TestNode) -> list[tuple[str, int]]:
    async with node.state.db.read() as session:
        rows = await session.execute(select(Digest.status, Digest.attempts).order_by(Digest.id))
        return [(status, attempts) for status, attempts in rows]


async def test_digest_once_per_period_in_the_members_language(
    network: NodeNetwork, mailbox: Mailbox
) -> None:
    node = await network.spawn("US", **smtp(mailbox.port))
    author = await node.add_member(name="Alice Carter", specialty="pediatrics")
    secret_author = await node.add_member(name="Zoe Hidden", specialty="pediatrics")
    lena = await node.add_member(name="Lena Schmidt")
    async with node.state.db.write() as session:  # Lena reads Curbside in German
        await set_locale(session, await member_id(node, lena), "de")
    quiet = await node.add_member(name="Quentin Off")
    for account in (lena, quiet):
        await follow(node, account, "pediatrics")
    await opt_in(node, lena, "daily")
    await post_case(node, author, title="Toddler with recurrent fevers")
    anonymous = await post_case(node, secret_author, title="Rash after amoxicillin", anonymous=True)
    await wait_for_notifications(node, lena, 2)
    await wait_for_notifications(node, quiet, 2)
    await opted_in_days_ago(node, lena, 1)

    assert await run_digests(node.state) == 1
    [message] = mailbox.messages
    assert message["To"] == lena.email
    assert message["Subject"] == "2 neue Benachrichtigungen auf Curbside US"
    assert message["Message-ID"].startswith("<digest-")
    text, html = text_of(message), html_of(message)
    for part in (text, html):
        assert "Toddler with recurrent fevers" in part and "Rash after amoxicillin" in part
        assert "Alice Carter" in part
        assert anonymous["author"]["pseudonym"] in part
        assert "Zoe" not in part and "Hidden" not in part  # the anonymous author
        for other in (author, secret_author, quiet):
            assert other.email not in part
        assert f"{node.base_url}/notifications/" in part
        assert f"{node.base_url}/settings/follows" in part
        assert "Vereinigte Staaten" in part  # country names in Lena's language
    assert '<html lang="de" dir="ltr">' in html
    assert "Guten Tag Lena Schmidt," in text
    assert await digests(node) == [("sent", 1)]

    # The period is closed: running again sends nothing, even with news waiting.
    await post_case(node, author, title="Unexplained hyponatraemia")
    await wait_for_notifications(node, lena, 3)
    assert await run_digests(node.state) == 0
    assert len(mailbox.messages) == 1

    # The next period lists only what is new and still unread.
    assert await run_digests(node.state, utcnow() + DAY + timedelta(minutes=1)) == 1
    second = mailbox.messages[1]
    assert second["Subject"] == "1 neue Benachrichtigung auf Curbside US"
    assert second["Message-ID"] != message["Message-ID"]
    assert "Unexplained hyponatraemia" in text_of(second)
    assert "Toddler with recurrent fevers" not in text_of(second)
    assert mailbox.to(quiet.email) == []  # never opted in
    assert await digests(node) == [("sent", 1), ("sent", 1)]


async def test_no_digest_for_members_who_opted_out(network: NodeNetwork, mailbox: Mailbox) -> None:
    node = await network.spawn("US", **smtp(mailbox.port))
    author = await node.add_member(specialty="pediatrics")
    leaver = await node.add_member()
    late_leaver = await node.add_member()
    for account in (leaver, late_leaver):
        await follow(node, account, "pediatrics")
        await opt_in(node, account, "weekly")
    await opt_in(node, leaver, "off")
    await post_case(node, author)
    for account in (leaver, late_leaver):
        await wait_for_notifications(node, account, 1)
        await opted_in_days_ago(node, account, 8)
    # The period of the late leaver is closed, then they opt out before it is sent.
    assert await claim_due_digests(node.state, utcnow()) == 1
    await opt_in(node, late_leaver, "off")
    assert await run_digests(node.state) == 0
    assert mailbox.messages == []
    assert await digests(node) == [("skipped", 1)]


async def test_a_refused_or_interrupted_digest_is_sent_later_exactly_once(
    network: NodeNetwork, mailbox: Mailbox
) -> None:
    node = await network.spawn("US", **smtp(mailbox.port))
    author = await node.add_member(specialty="pediatrics")
    reader = await node.add_member()
    await follow(node, reader, "pediatrics")
    await opt_in(node, reader)
    await post_case(node, author, title="Fevers every four weeks")
    await wait_for_notifications(node, reader, 1)
    await opted_in_days_ago(node, reader, 2)

    # The mail server refuses for now: the digest waits, and is not lost.
    mailbox.refusing = True
    now = utcnow()
    assert await run_digests(node.state, now) == 0
    assert await digests(node) == [("pending", 1)]
    assert await run_digests(node.state, now + timedelta(minutes=1)) == 0  # pausing
    assert await digests(node) == [("pending", 1)]

    # The next attempt: the node takes the digest to send it, and dies.
    mailbox.refusing = False
    later = now + timedelta(minutes=6)
    leased, _ = await lease_due_digests(node.state, later)
    assert len(leased) == 1
    await node.restart()
    assert await digests(node) == [("pending", 2)]
    assert mailbox.messages == []

    # Within the lease nothing is sent again; after it, the digest is, once.
    assert await run_digests(node.state, later + timedelta(minutes=1)) == 0
    assert await run_digests(node.state, later + SEND_LEASE + timedelta(minutes=1)) == 1
    assert await digests(node) == [("sent", 3)]
    assert await run_digests(node.state, later + DAY) == 0
    [message] = mailbox.messages
    assert "Fevers every four weeks" in text_of(message)
    # Every attempt carries the digest's own Message-ID, so if one that the server took
    # is repeated (a crash before the sending was recorded), mail clients show one.
    async with node.state.db.read() as session:
        public_id = await session.scalar(select(Digest.public_id))
    assert message["Message-ID"] == f"<digest-{public_id}@127.0.0.1>"


async def test_the_node_runs_the_digest_job(network: NodeNetwork, mailbox: Mailbox) -> None:
    settings = {**smtp(mailbox.port), "digest_check_seconds": 0.2}
    node = await network.spawn("US", **settings)
    author = await node.add_member(specialty="pediatrics")
    reader = await node.add_member()
    await follow(node, reader, "pediatrics")
    await opt_in(node, reader)
    await post_case(node, author, title="Fevers every four weeks")
    await wait_for_notifications(node, reader, 1)
    await opted_in_days_ago(node, reader, 1)
    await eventually(lambda: asyncio.sleep(0, result=mailbox.to(reader.email)), what="the digest")
    assert await run_digests(node.state) == 0
    assert len(mailbox.messages) == 1
