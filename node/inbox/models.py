"""Received activities (stored before they are applied) and seen signatures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, and_, literal_column
from sqlalchemy.orm import Mapped, mapped_column

from node.db.base import Base
from node.db.types import utcnow


class InboxEntry(Base):
    """An accepted activity. ``activity_id`` is unique, so a redelivery stores nothing."""

    __tablename__ = "inbox"
    # The worker takes the oldest due pending rows (worker.py, DUE): by state, then in
    # id order, with the due time in the index too, so a batch reads its 50 entries
    # and stops, however long the backlog (a new peer's history after catch-up).
    __table_args__ = (Index("ix_inbox_pending", "state", "id", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(500), unique=True)
    signer_origin: Mapped[str] = mapped_column(String(300))
    key_id: Mapped[str] = mapped_column(String(500))
    activity: Mapped[str] = mapped_column(Text)  # normalized JSON-LD, what handlers read
    raw: Mapped[str] = mapped_column(Text)  # as the sender wrote it, for integrity proofs
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # pending -> applied | failed | undone (taken back before it could be applied,
    # see node.inbox.undone)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    applied_at: Mapped[datetime | None]
    # The case whose thread, and the case or reply whose text, the activity carries
    # (outbox/carried.py): deleting them empties its JSON at once (inbox/forget.py).
    thread_iri: Mapped[str | None] = mapped_column(String(500), index=True)
    content_iri: Mapped[str | None] = mapped_column(String(500))


# Applied (or undone) activities keep their JSON a day, for an operator looking into
# what arrived, then only the id that makes a redelivery a no-op (forget.py,
# forget_applied_bodies): the table does not grow by every activity's text for good.
# The janitor finds the rows whose time is up in this index of the applied rows that
# still hold a body. Rows enter it when they are applied, not when they arrive: the
# inbox's inserts, the hot path of federation, have one index less to write. The
# empty string is a literal, not a parameter: PostgreSQL matches a partial index
# against the query, and a cached generic plan would not know the parameter's value.
BODY_KEPT_CONDITION = and_(
    InboxEntry.applied_at.is_not(None), InboxEntry.raw != literal_column("''")
)
Index(
    "ix_inbox_body_kept",
    InboxEntry.applied_at,
    sqlite_where=BODY_KEPT_CONDITION,
    postgresql_where=BODY_KEPT_CONDITION,
)


class SeenSignature(Base):
    """Signatures of accepted inbox POSTs, kept until they expire: a replay is refused."""

    __tablename__ = "seen_signatures"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
