"""A narrow copy of what the metrics need from each case, kept by database triggers.

Aggregating the ``cases`` table itself means reading every case's text (100,000
cases are ~100 MB of rows), and the time to the first reply means visiting every
thread's replies: seconds per figure set on a big node. This table holds a few
dozen bytes per case instead; triggers created by the migration keep it in step
with ``cases`` and ``replies`` (insert, the columns below changing, deletes through
the foreign key), so no code path that writes cases has to remember it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from node.db.base import Base


class CaseFigures(Base):
    __tablename__ = "metrics_cases"
    __table_args__ = (Index("ix_metrics_cases_created_at", "created_at"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    is_local: Mapped[bool]
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    resolved: Mapped[bool]
    resolved_at: Mapped[datetime | None]
    found_what_needed: Mapped[bool | None]
    # The larger of the network total (the origin's count) and this node's own count.
    views: Mapped[int]
    reply_count: Mapped[int]
    # The first reply by someone other than the case's author (None: none yet), told
    # apart by the author's IRI alone: comparing members would count the author's
    # anonymous reply beneath their named case as their own, and any member could then
    # watch the figures to learn who is behind a pseudonym (docs/privacy.md).
    first_reply_at: Mapped[datetime | None]
