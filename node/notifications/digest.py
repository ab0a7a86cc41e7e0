"""The email digest job: claim each due period, then send, then record the sending.

1. *Claim* (one transaction per batch): for every member whose digest period ended,
   move the period start forward with a compare-and-set (so two processes of one
   node cannot both take it) and, if there are unread notifications not mailed
   before, create a pending ``Digest`` and attach them to it.
2. *Send*: each pending digest whose time has come is leased (its next attempt moved
   ``SEND_LEASE`` ahead, again compare-and-set), composed, handed to the mail server
   and marked sent. A crash before the mail server took it leaves it pending, and the
   lease expiring sends it again; a crash between the server's "OK" and our commit
   sends it twice, with the same Message-ID so mail clients can drop the copy.
   Refusals are retried with growing pauses and given up after ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from node.cases.service import new_local_id
from node.db.types import utcnow
from node.mail.sender import MailError, send_mail
from node.notifications.digest_mail import compose
from node.notifications.models import (
    Digest,
    DigestFrequency,
    DigestStatus,
    Notification,
    NotificationSettings,
)
from node.notifications.schedule import latest_slot
from node.state import NodeState

BATCH = 100
SEND_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)


def _unmailed(member_id: int, since: datetime) -> ColumnElement[bool]:
    return and_(
        Notification.member_id == member_id,
        Notification.read_at.is_(None),
        Notification.digest_id.is_(None),
        Notification.created_at >= since,
    )


async def _claim(
    session: AsyncSession,
    member_id: int,
    frequency: DigestFrequency,
    since: datetime,
    now: datetime,
) -> bool:
    taken = await session.execute(
        update(NotificationSettings)
        .where(
            NotificationSettings.member_id == member_id,
            NotificationSettings.digest == frequency.value,
            NotificationSettings.digest_since == since,
        )
        .values(digest_since=now)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return False  # another process took this period, or the member changed it
    waiting = await session.scalar(
        select(func.count()).select_from(Notification).where(_unmailed(member_id, since))
    )
    if not waiting:
        return False  # a quiet period: no email
    digest = Digest(
        public_id=new_local_id(),
        member_id=member_id,
        status=DigestStatus.PENDING.value,
        period_start=since,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(digest)
    await session.flush()
    await session.execute(
        update(Notification).where(_unmailed(member_id, since)).values(digest_id=digest.id)
    )
    return True


async def claim_due_digests(state: NodeState, now: datetime) -> int:
    """Close every period that ended by ``now``; returns how many digests to send."""
    claimed = 0
    for frequency in (DigestFrequency.DAILY, DigestFrequency.WEEKLY):
        slot = latest_slot(state.config, frequency, now)
        while True:
            async with state.db.write() as session:
                due = (
                    await session.execute(
                        select(NotificationSettings.member_id, NotificationSettings.digest_since)
                        .where(
                            NotificationSettings.digest == frequency.value,
                            NotificationSettings.digest_since < slot,
                        )
                        .order_by(NotificationSettings.digest_since)
                        .limit(BATCH)
                    )
                ).all()
                for member_id, since in due:
                    claimed += await _claim(session, member_id, frequency, since, now)
            if len(due) < BATCH:
                break
    return claimed


def retry_pause(attempt: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempt - 1), LONGEST_RETRY)


async def lease_due_digests(state: NodeState, now: datetime) -> tuple[list[int], bool]:
    """Lease a batch of due digests (ids); also says whether more may be waiting."""
    async with state.db.write() as session:
        due = (
            await session.execute(
                select(Digest.id, Digest.attempts)
                .where(Digest.status == DigestStatus.PENDING.value, Digest.next_attempt_at <= now)
                .order_by(Digest.next_attempt_at, Digest.id)
                .limit(BATCH)
            )
        ).all()
        leased = []
        for digest_id, attempts in due:
            taken = await session.execute(
                update(Digest)
                .where(
                    Digest.id == digest_id,
                    Digest.status == DigestStatus.PENDING.value,
                    Digest.attempts == attempts,
                )
                .values(attempts=attempts + 1, next_attempt_at=now + SEND_LEASE)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                leased.append(digest_id)
    return leased, len(due) == BATCH


async def _deliver(state: NodeState, digest_id: int, now: datetime) -> bool:
    async with state.db.read() as session:
        digest = await session.get_one(Digest, digest_id)
        mail = await compose(state, session, digest)
    if mail is None:
        async with state.db.write() as session:
            await session.execute(
                update(Digest)
                .where(Digest.id == digest_id)
                .values(status=DigestStatus.SKIPPED.value)
            )
        return False
    try:
        await send_mail(state.config, mail)
    except MailError:
        # Only the digest's random id is logged: the server's message may quote the
        # recipient's address, which must not reach the logs.
        gave_up = digest.attempts >= MAX_ATTEMPTS
        state.log.warning(
            "digest email not accepted by the mail server",
            extra={"digest": digest.public_id, "attempt": digest.attempts, "gave_up": gave_up},
        )
        async with state.db.write() as session:
            await session.execute(
                update(Digest)
                .where(Digest.id == digest_id)
                .values(
                    status=DigestStatus.FAILED.value if gave_up else DigestStatus.PENDING.value,
                    next_attempt_at=now + retry_pause(digest.attempts),
                )
            )
        return False
    async with state.db.write() as session:
        await session.execute(
            update(Digest)
            .where(Digest.id == digest_id)
            .values(status=DigestStatus.SENT.value, sent_at=utcnow())
        )
    return True


async def send_pending_digests(state: NodeState, now: datetime) -> int:
    sent = 0
    more = True
    while more:
        leased, more = await lease_due_digests(state, now)
        for digest_id in leased:
            sent += await _deliver(state, digest_id, now)
    return sent


async def run_digests(state: NodeState, now: datetime | None = None) -> int:
    """One round: close due periods, send what is pending. Returns emails sent."""
    moment = now or utcnow()
    await claim_due_digests(state, moment)
    return await send_pending_digests(state, moment)


async def digest_job(state: NodeState) -> None:
    while True:
        await run_digests(state)
        await asyncio.sleep(state.config.digest_check_seconds)
