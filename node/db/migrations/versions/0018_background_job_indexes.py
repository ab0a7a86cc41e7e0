"""indexes for what background jobs and peers ask every few seconds

An audit of the queries the node's background jobs run found four that read a whole
table, at the scale of 100,000 cases and 1,000,000 replies (times warm, on our 2-core
machine; on SQLite the node runs them on its event loop, so every request waits):

- delivery, every 2 s and on every publish: what waits for a peer is ``seq > pointer
  AND (recipient IS NULL OR recipient = peer)``, read by seq alone; a caught-up peer's
  pointer stays put while activities addressed to other peers pile up after it (170
  ms per claim with 30 peers and 20,000 such rows). ``(recipient, seq)`` answers it
  from two ranges.
- a peer's Update of its member (a suspension) and the pseudonym document look posts
  up by ``author_iri``: 0.5 s per lookup over the replies (5 s cold), in the inbox
  worker's write transaction or on any peer's GET.
- the image fetcher, every 5 s: images not fetched yet, a scan of every image (49 ms
  at 200,000). Partial index over the unfetched ones.
- status announcements, every 5 s: members whose status peers were not told, a scan
  of every member. Partial index over those.

The partial indexes' conditions are written as the queries write them (SQLite uses a
partial index only when the query repeats its condition). Plain CREATE INDEX, no
batch mode: a batch table rebuild would drop the triggers on ``cases`` and
``replies`` (0008, 0013). On a large node the replies index takes a while to build
(about 4 s per 1,000,000 replies on our machine; SQLite).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFETCHED = sa.column("fetched_at").is_(None)
ANNOUNCEMENT_DUE = sa.or_(
    sa.column("federated_status").is_(None), sa.column("federated_status") != sa.column("status")
)


def upgrade() -> None:
    op.create_index("ix_outbox_recipient_seq", "outbox", ["recipient", "seq"])
    op.create_index("ix_cases_author_iri", "cases", ["author_iri"])
    op.create_index("ix_replies_author_iri", "replies", ["author_iri"])
    op.create_index(
        "ix_attachments_unfetched",
        "attachments",
        ["id"],
        sqlite_where=UNFETCHED,
        postgresql_where=UNFETCHED,
    )
    op.create_index(
        "ix_members_announcement_due",
        "members",
        ["id"],
        sqlite_where=ANNOUNCEMENT_DUE,
        postgresql_where=ANNOUNCEMENT_DUE,
    )


def downgrade() -> None:
    op.drop_index("ix_members_announcement_due", table_name="members")
    op.drop_index("ix_attachments_unfetched", table_name="attachments")
    op.drop_index("ix_replies_author_iri", table_name="replies")
    op.drop_index("ix_cases_author_iri", table_name="cases")
    op.drop_index("ix_outbox_recipient_seq", table_name="outbox")
