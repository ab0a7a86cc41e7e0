"""Tables of the verification feature: the register, its imports, claims, licence holds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from node.db.base import Base
from node.db.types import utcnow


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class ImportStatus(StrEnum):
    RUNNING = "running"  # reading the file, or interrupted while reading it
    HELD = "held"  # read completely; member changes refused (mass suspension guard)
    COMPLETED = "completed"
    ABANDONED = "abandoned"  # a different file was imported before this one finished


class RegisterImport(Base):
    """One run of ``curbside registry import`` for one register.

    The checkpoint (byte offset and line number after the last committed batch) is
    written in the same transaction as that batch, so a resumed run neither skips
    nor repeats rows.
    """

    __tablename__ = "register_imports"
    __table_args__ = (
        CheckConstraint(_one_of("status", ImportStatus), name="status"),
        Index("ix_register_imports_register_started", "register", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(1000))
    file_size: Mapped[int] = mapped_column(BigInteger)
    # Size plus hashes of the first and last MiB: tells "the same file again"
    # (resume) from a new extract without reading gigabytes.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.RUNNING.value)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    checkpoint_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    checkpoint_offset: Mapped[int] = mapped_column(BigInteger, default=0)
    checkpoint_line: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_read: Mapped[int] = mapped_column(BigInteger, default=0)
    entries: Mapped[int] = mapped_column(BigInteger, default=0)
    skipped: Mapped[int] = mapped_column(BigInteger, default=0)
    problems: Mapped[int] = mapped_column(BigInteger, default=0)
    # The first problems, as [line_no, message] pairs, for the operator's report.
    problem_samples: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Filled in when the import completes (or is held): what changed and what it did.
    result: Mapped[dict[str, Any] | None]


class RegisterRecord(Base):
    """One licensee as the latest import of a register lists them.

    Names are stored as the register prints them (NFC, single spaces): the matcher
    folds case, accents, particles and transliterations itself, and folding here
    would lose what it needs ("Müller" must still match "Mueller"). Entries the
    latest completed import did not list are deleted when it completes.
    """

    __tablename__ = "register_entries"
    # licence_id first: the same index serves upserts and a claim's look-up by number.
    __table_args__ = (
        Index("uq_register_entries_licence_register", "licence_id", "register", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = mapped_column(String(32))
    licence_id: Mapped[str] = mapped_column(String(64))  # normalise_licence_id form
    family_name: Mapped[str] = mapped_column(String(200))
    given_names: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str | None] = mapped_column(String(100))
    credential: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool]
    # Import ids (no foreign keys: millions of rows are upserted per import and the
    # imports table is never pruned).
    first_seen_import_id: Mapped[int]
    changed_import_id: Mapped[int]
    last_seen_import_id: Mapped[int]


class ClaimState(StrEnum):
    PENDING = "pending"  # waiting for a reviewer
    ACCEPTED = "accepted"  # matched the register, or a reviewer verified it
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # the member filed a newer claim before a decision


class LicenceClaim(Base):
    """A member's claim to a licence number, and the document sent for review."""

    __tablename__ = "licence_claims"
    __table_args__ = (
        CheckConstraint(_one_of("state", ClaimState), name="state"),
        Index("ix_licence_claims_state_created", "state", "created_at"),
        Index("ix_licence_claims_purge", "documents_purge_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    licence_id: Mapped[str] = mapped_column(String(64))  # normalised
    family_name: Mapped[str] = mapped_column(String(200))  # as the member typed them
    given_names: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))
    # verification.matching.MatchReason; the detail may quote the register's spelling
    # and is shown to reviewers only.
    match_reason: Mapped[str] = mapped_column(String(32))
    match_detail: Mapped[str] = mapped_column(Text)
    register: Mapped[str | None] = mapped_column(String(32))  # where the number is listed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))  # audit actor form
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # The uploaded document: a random file name in the data folder, never a path
    # from the client.
    document_file: Mapped[str | None] = mapped_column(String(64))
    document_type: Mapped[str | None] = mapped_column(String(32))
    document_size: Mapped[int | None]
    document_uploaded_at: Mapped[datetime | None]
    documents_purge_at: Mapped[datetime | None]
    document_deleted_at: Mapped[datetime | None]


class SuspensionCause(StrEnum):
    REGISTER = "register"  # a re-import no longer lists the licence as active
    OPERATOR = "operator"


class LicenceHold(Base):
    """A licence held by a verified (or suspended) member of this node.

    The unique licence id is what makes "one licence, one member" hold even when
    two claims race on PostgreSQL. ``register`` names the register whose re-imports
    govern this member (None when a reviewer verified a number no register lists).
    """

    __tablename__ = "licence_holds"
    __table_args__ = (
        CheckConstraint(_one_of("suspension_cause", SuspensionCause), name="suspension_cause"),
    )

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    licence_id: Mapped[str] = mapped_column(String(64), unique=True)
    register: Mapped[str | None] = mapped_column(String(32), index=True)
    since: Mapped[datetime] = mapped_column(default=utcnow)
    suspension_cause: Mapped[str | None] = mapped_column(String(16))
