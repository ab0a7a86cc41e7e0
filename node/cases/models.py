"""Cases (local and received), their specialties, and tombstones of deleted objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.db.base import Base
from node.db.types import utcnow


class Case(Base):
    """One case, whichever node it was posted on (``origin``).

    Author columns hold only what may travel: for an anonymous case, a pseudonym,
    specialty and country. ``author_member_id`` links a case posted on this node to
    its author for the author's own use and audited look-ups; it never leaves.
    """

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_feed", "deleted_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    iri: Mapped[str] = mapped_column(String(500), unique=True)
    local_id: Mapped[str] = mapped_column(String(32), unique=True)
    origin: Mapped[str] = mapped_column(String(300), index=True)
    is_local: Mapped[bool]
    author_iri: Mapped[str] = mapped_column(String(500))
    author_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    anonymous: Mapped[bool] = mapped_column(default=False)
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_pseudonym: Mapped[str | None] = mapped_column(String(64))
    author_specialty: Mapped[str] = mapped_column(String(64))
    author_country: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    audience: Mapped[str] = mapped_column(String(10))
    age_band: Mapped[str | None] = mapped_column(String(16))
    sex: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default="open")
    reply_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    specialties: Mapped[list[CaseSpecialty]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CaseSpecialty.position"
    )

    @property
    def specialty_codes(self) -> list[str]:
        return [item.code for item in self.specialties]


class CaseSpecialty(Base):
    """A row per (case, specialty), so feeds filter by specialty with an index."""

    __tablename__ = "case_specialties"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)


class Tombstone(Base):
    """A deleted object. Kept forever, so a late or replayed Create cannot resurrect it
    (a Delete that arrives before its Create still wins)."""

    __tablename__ = "tombstones"

    iri: Mapped[str] = mapped_column(String(500), primary_key=True)
    origin: Mapped[str] = mapped_column(String(300))
    former_type: Mapped[str | None] = mapped_column(String(40))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)
