"""The outgoing activity log and one delivery state per peer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, Index, Integer, String, Text, and_, or_
from sqlalchemy.orm import Mapped, mapped_column

from node.db.base import Base
from node.db.types import utcnow


class OutboxEntry(Base):
    """One activity this node sent, in order. Rows are only ever appended.

    ``seq`` is the delivery order. On PostgreSQL appends take a transaction-scoped
    advisory lock, so sequence numbers become visible in commit order and a worker
    can never skip a row that commits late.
    """

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    activity_id: Mapped[str] = mapped_column(String(500), unique=True)
    activity_type: Mapped[str] = mapped_column(String(40))
    # The exact JSON sent (integrity proofs inside it are over these bytes).
    body: Mapped[str] = mapped_column(Text)
    # None: every peer, and listed in /outbox for catch-up. Otherwise only this
    # peer origin (e.g. a reply goes to its case's origin node only).
    recipient: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The case whose thread, and the case or reply whose text, the activity carries
    # (withdraw.py): a deletion finds them here without reading every body.
    thread_iri: Mapped[str | None] = mapped_column(String(500), index=True)
    content_iri: Mapped[str | None] = mapped_column(String(500), index=True)
    # Set when what it carries was deleted: the body is emptied and the entry is
    # never delivered or served again.
    withdrawn_at: Mapped[datetime | None]


def waiting_for(origin: Any, after: Any) -> ColumnElement[bool]:
    """Entries after ``after`` that go to the peer at ``origin`` (values, or an outer
    query's columns): the delivery worker's queue and the pending count peers show.
    Withdrawn ones go to no one (withdraw.py)."""
    return and_(
        OutboxEntry.seq > after,
        or_(OutboxEntry.recipient.is_(None), OutboxEntry.recipient == origin),
        OutboxEntry.withdrawn_at.is_(None),
    )


# What waits for one peer (waiting_for) is asked every few seconds per peer. By seq
# alone that reads again every row addressed to other peers since the pointer (a
# caught-up peer's pointer stays put while Views go to others); by (recipient, seq)
# it reads two ranges of this index.
Index("ix_outbox_recipient_seq", OutboxEntry.recipient, OutboxEntry.seq)


class Delivery(Base):
    """Where delivery to one peer stands. Deleted with the peer."""

    __tablename__ = "deliveries"

    peer_id: Mapped[int] = mapped_column(
        ForeignKey("peers.id", ondelete="CASCADE"), primary_key=True
    )
    last_delivered_seq: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_success_at: Mapped[datetime | None]
    unreachable: Mapped[bool] = mapped_column(default=False)
    # A worker (possibly in another process) holds the peer until lease_until.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]


class DeliveryFailure(Base):
    """An activity a peer refused for good (a permanent 4xx); kept for operators."""

    __tablename__ = "delivery_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_origin: Mapped[str] = mapped_column(String(300), index=True)
    seq: Mapped[int]
    status: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)
