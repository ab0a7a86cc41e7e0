"""Trusted peers and their current keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from node.db.base import Base
from node.db.types import utcnow


class Peer(Base):
    """A node our operator added. Presence in this table *is* the trust decision:
    removing the row stops both directions at once."""

    __tablename__ = "peers"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(300), unique=True)
    actor_id: Mapped[str] = mapped_column(String(500))
    inbox_url: Mapped[str] = mapped_column(String(500))
    outbox_url: Mapped[str | None] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    key_id: Mapped[str] = mapped_column(String(500), unique=True)
    public_key_multibase: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    key_checked_at: Mapped[datetime | None]
    # Last time a request signed by this peer was accepted: proof the trust is mutual.
    last_seen_at: Mapped[datetime | None]
    # Catch-up position: the URL of the next page of the peer's outbox to read
    # (None: start from its first page).
    catchup_next: Mapped[str | None] = mapped_column(String(1000))
    catchup_at: Mapped[datetime | None]
