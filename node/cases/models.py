"""Cases (local and received), their specialties, and tombstones of deleted objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, and_, literal_column
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

    id: Mapped[int] = mapped_column(primary_key=True)
    iri: Mapped[str] = mapped_column(String(500), unique=True)
    local_id: Mapped[str] = mapped_column(String(32), unique=True)
    origin: Mapped[str] = mapped_column(String(300), index=True)
    is_local: Mapped[bool]
    # Indexed: a peer's Update of its member (a suspension) and the pseudonym document
    # look posts up by author, and 1,000,000 replies take half a second to scan.
    author_iri: Mapped[str] = mapped_column(String(500), index=True)
    author_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    anonymous: Mapped[bool] = mapped_column(default=False)
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_pseudonym: Mapped[str | None] = mapped_column(String(64))
    author_specialty: Mapped[str] = mapped_column(String(64))
    author_country: Mapped[str] = mapped_column(String(2))
    # "verified", or what the author's node later said (suspended, revoked).
    author_status: Mapped[str] = mapped_column(String(16), default="verified", index=True)
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
    # Hidden by a moderator of this node (this node only; reversible).
    hidden_at: Mapped[datetime | None]
    # Thread state decided at the origin and copied everywhere (see threads.py).
    thread_version: Mapped[int] = mapped_column(default=0)
    network_view_count: Mapped[int] = mapped_column(default=0)
    accepted_reply_iri: Mapped[str | None] = mapped_column(String(500))
    outcome_summary: Mapped[str | None] = mapped_column(Text)
    found_what_needed: Mapped[bool | None]
    resolved_at: Mapped[datetime | None]
    # Views on this node; the count last reported to the origin (non-origin nodes).
    local_view_count: Mapped[int] = mapped_column(default=0)
    reported_view_count: Mapped[int] = mapped_column(default=0)
    # Views changed and nobody has been told yet: at the origin, its peers (the network
    # total); on another node, the origin (this node's count). Only ever set to true
    # by a view, never compared with a counter, so that on PostgreSQL counting a view
    # stays an update that touches no index (a "HOT" update) unless it sets the flag.
    views_dirty: Mapped[bool] = mapped_column(default=False)

    specialties: Mapped[list[CaseSpecialty]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CaseSpecialty.position"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Attachment.id"
    )

    @property
    def specialty_codes(self) -> list[str]:
        return [item.code for item in self.specialties]


# The feed (service.list_cases) reads these indexes in their stored order, so a page
# of 20 costs 20 index entries instead of sorting every live case. Each matches its
# ORDER BY column for column, direction included, down to the ``id`` tie-break
# (without it the planner still sorts each run of equal times, or the whole table).
# Newest first: ORDER BY created_at DESC, id DESC.
Index("ix_cases_newest", Case.created_at.desc(), Case.id.desc())
# Open first: ORDER BY status, created_at DESC, id DESC. Partial, over live cases:
# PostgreSQL does not take ``deleted_at IS NULL`` as fixing a leading index column,
# so with deleted_at first it sorted the whole table for this order.
Index(
    "ix_cases_feed",
    Case.status,
    Case.created_at.desc(),
    Case.id.desc(),
    sqlite_where=Case.deleted_at.is_(None),
    postgresql_where=Case.deleted_at.is_(None),
)

# The view reporter's question, every view_report_seconds (view_counts.py): which
# cases have views to announce (local) or to report (remote). Answered from a small
# partial index instead of a scan of every case, which took 65 ms warm and over a
# second cold at 100,000 cases, in a write transaction.
Index(
    "ix_cases_views_dirty",
    Case.id,
    sqlite_where=Case.views_dirty.is_(True),
    postgresql_where=Case.views_dirty.is_(True),
)


# The feed filtered by country of origin or language. Without these it walks the
# newest-first index and tests every case, which reads the whole table for a country
# with few cases (166 ms at 100,000); with them it reads one page of index entries,
# in each of the feed's orders: newest first, and open first (or one status) newest
# first within. Partial over live cases, as ix_cases_feed.
def _filtered_feed_indexes(name: str) -> None:
    column = getattr(Case, name)
    for order, columns in (
        ("newest", (column, Case.created_at.desc(), Case.id.desc())),
        ("feed", (column, Case.status, Case.created_at.desc(), Case.id.desc())),
    ):
        Index(
            f"ix_cases_{name}_{order}",
            *columns,
            sqlite_where=Case.deleted_at.is_(None),
            postgresql_where=Case.deleted_at.is_(None),
        )


_filtered_feed_indexes("author_country")
_filtered_feed_indexes("language")


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


class Reply(Base):
    """A reply in a case thread, wherever it was written (``origin`` = author's node).

    ``position`` is the reply's place in the thread as decided by the case's origin
    node; it is None only for a reply written here that the origin has not confirmed
    yet. Every node orders a thread by position, so all show the same order.
    """

    __tablename__ = "replies"
    # Unique: two workers (processes) racing to place replies cannot give two the
    # same place; the loser's transaction fails and it retries with the next one.
    __table_args__ = (Index("ix_replies_thread", "case_id", "position", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    iri: Mapped[str] = mapped_column(String(500), unique=True)
    local_id: Mapped[str] = mapped_column(String(32), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(300))
    is_local: Mapped[bool]
    # Indexed: a peer's Update of its member (a suspension) and the pseudonym document
    # look posts up by author, and 1,000,000 replies take half a second to scan.
    author_iri: Mapped[str] = mapped_column(String(500), index=True)
    author_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    anonymous: Mapped[bool] = mapped_column(default=False)
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_pseudonym: Mapped[str | None] = mapped_column(String(64))
    author_specialty: Mapped[str] = mapped_column(String(64))
    author_country: Mapped[str] = mapped_column(String(2))
    author_status: Mapped[str] = mapped_column(String(16), default="verified", index=True)
    content: Mapped[str] = mapped_column(Text)
    in_reply_to_iri: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int | None]
    helpful_count: Mapped[int] = mapped_column(default=0)
    hidden_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
    # The note as its author's node signed it (with its integrity proof): the origin
    # relays exactly this, so every node can check the author's node wrote it.
    signed_note: Mapped[str] = mapped_column(Text)


class Revision(Base):
    """The previous text of an edited case or reply (edit history, on every node)."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_iri: Mapped[str] = mapped_column(String(500), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    question: Mapped[str | None] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpfulMark(Base):
    """A "helpful" mark. ``marker_iri`` is the marker's per-thread pseudonym, so the
    origin can refuse a second mark by the same member without learning who it is."""

    __tablename__ = "helpful_marks"

    reply_id: Mapped[int] = mapped_column(
        ForeignKey("replies.id", ondelete="CASCADE"), primary_key=True
    )
    marker_iri: Mapped[str] = mapped_column(String(500), primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseView(Base):
    """A member of this node opened the case (counted once per member)."""

    __tablename__ = "case_views"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ViewReport(Base):
    """At the origin: how many members of another node viewed one of our cases."""

    __tablename__ = "view_reports"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    node_origin: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """An image of a case. Files live in the data folder (``media/``), never in a web
    root: members get them through the API or pages, peers through signed GETs.

    On the case's origin ``iri`` is ours and the file is here from the upload; on other
    nodes the row arrives with the case's thread state and the file is fetched from
    the origin (``fetched_at``), checked against ``sha256``.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    iri: Mapped[str] = mapped_column(String(500), unique=True)
    local_id: Mapped[str] = mapped_column(String(32), unique=True)
    mime: Mapped[str] = mapped_column(String(20))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fetched_at: Mapped[datetime | None]
    fetch_attempts: Mapped[int] = mapped_column(default=0)
    # After a failed fetch, the next one waits (media.py, fetch_retry_delay).
    next_fetch_at: Mapped[datetime | None]


# Failed fetches of an image before the node gives up on it: about two days of
# retries (media.py). A literal in the index and in the fetcher's query alike: SQLite
# uses a partial index only for a query that repeats its condition word for word, and
# a bound parameter is not the same words. Changing it takes a migration.
FETCH_ATTEMPTS_MAX = 16
STILL_TO_FETCH = and_(
    Attachment.fetched_at.is_(None),
    Attachment.fetch_attempts < literal_column(str(FETCH_ATTEMPTS_MAX)),
)

# The image fetcher asks every few seconds for the images it still has to fetch
# (media.py): few rows, found in a small partial index instead of a scan of every
# image; the ones it gave up on leave it.
Index(
    "ix_attachments_to_fetch",
    Attachment.id,
    sqlite_where=STILL_TO_FETCH,
    postgresql_where=STILL_TO_FETCH,
)
