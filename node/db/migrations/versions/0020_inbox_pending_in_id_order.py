"""inbox: the pending index in the worker's order

The inbox worker takes the oldest due activities: ``state = 'pending' AND
next_attempt_at <= now ORDER BY id LIMIT 50``. ``ix_inbox_pending`` was ``(state,
next_attempt_at)``, so each batch collected every due pending row and sorted them by
id to keep 50: 16 ms per batch with 100,000 pending (the backlog of a peer that
joins a network with history), so draining a backlog cost time growing with the
square of its length. As ``(state, id, next_attempt_at)`` the batch reads pending
rows in id order, checks the due time in the index, and stops after 50. The Undo
lookup (``inbox/undone.py``: pending rows before an id) reads it as a range too.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-27 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_inbox_pending", table_name="inbox")
    op.create_index("ix_inbox_pending", "inbox", ["state", "id", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_pending", table_name="inbox")
    op.create_index("ix_inbox_pending", "inbox", ["state", "next_attempt_at"])
