"""cases, replies: anonymous posts no longer show their author's suspension

A suspension or revocation marked every post of the member on their own node, named
and anonymous alike, so any member of that node could see which pseudonyms belonged
to one person (and to which name): they all turned "suspended" at once. Peers only
ever marked named posts. From now on anonymous posts show, on every node, that a
verified physician wrote them; this revision takes the mark off the anonymous posts
marked before.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-28 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("cases", "replies"):
        posts = sa.table(
            table,
            sa.column("anonymous", sa.Boolean()),
            sa.column("author_status", sa.String(16)),
        )
        op.execute(
            posts.update()
            .where(posts.c.anonymous.is_(True), posts.c.author_status != "verified")
            .values(author_status="verified")
        )


def downgrade() -> None:
    # Which anonymous posts were marked is not kept: that is the point of the change.
    pass
