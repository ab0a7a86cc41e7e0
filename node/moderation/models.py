"""Reports of cases and replies, from members of this node or from peer nodes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from node.db.base import Base
from node.db.types import utcnow


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_iri: Mapped[str] = mapped_column(String(500), index=True)
    object_type: Mapped[str] = mapped_column(String(10))  # case | reply
    reason: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text, default="")
    # A local reporter, or the peer node that forwarded a report (never its member).
    reporter_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    reporter_node: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # open -> dismissed | hidden | removed; hidden -> restored (the hiding undone: the
    # decided_* fields then describe the restore, the audit log keeps both)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
