"""A case's poll, its options and the votes (one per member, network-wide)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.db.base import Base
from node.db.types import utcnow


class Poll(Base):
    __tablename__ = "polls"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(Text)
    multiple: Mapped[bool] = mapped_column(default=False)
    closes_at: Mapped[datetime]
    voters_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    options: Mapped[list[PollOption]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PollOption.position"
    )


class PollOption(Base):
    __tablename__ = "poll_options"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("polls.case_id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    votes: Mapped[int] = mapped_column(default=0)


class PollVote(Base):
    """A vote. At the origin, ``voter_iri`` (the voter's per-thread pseudonym) is unique
    per poll; on the voter's own node ``member_id`` also records who voted, so the
    member sees results and cannot vote again."""

    __tablename__ = "poll_votes"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("polls.case_id", ondelete="CASCADE"), primary_key=True
    )
    voter_iri: Mapped[str] = mapped_column(String(500), primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    choices: Mapped[list[Any]] = mapped_column()
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)
