"""outbox: withdraw the text of deleted cases and replies; inbox: bodies for a day

A deleted case or reply lived on in the outgoing log: its Create, its edits and its
thread's replies were still delivered to a peer that had been away, and served on
``/outbox`` to every node that joined later. Each outbox entry now records the case
whose thread and the post whose text it carries (``thread_iri``, ``content_iri``,
filled here from the bodies already logged), and a deletion withdraws them
(``withdrawn_at``, body emptied). Entries of objects deleted before this revision
(those with a tombstone) are withdrawn here.

The inbox kept the JSON of every applied activity for good: every case's text a
second and third time, deleted ones included. Its rows now record the same two IRIs
(from now on: what arrived before this revision is emptied by the janitor instead), a
deletion empties the rows that carry its text, and the janitor empties the rest a day
after they were applied; ``ix_inbox_body_kept`` holds the applied rows that still
have their JSON.

Plain ADD COLUMN and CREATE INDEX: no table rebuild. Filling the two columns reads
every logged body once (about 6 s per 100,000 entries on SQLite, our 2-core machine).

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-28 00:00:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import node.db.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
BODY_KEPT = sa.and_(
    sa.column("applied_at").is_not(None), sa.column("raw") != sa.literal_column("''")
)

outbox = sa.table(
    "outbox",
    sa.column("seq", sa.Integer),
    sa.column("body", sa.Text),
    sa.column("thread_iri", sa.String),
    sa.column("content_iri", sa.String),
    sa.column("withdrawn_at", node.db.types.UTCDateTime(timezone=True)),
)
inbox = sa.table(
    "inbox",
    sa.column("id", sa.Integer),
    sa.column("state", sa.String),
    sa.column("activity", sa.Text),
    sa.column("raw", sa.Text),
    sa.column("thread_iri", sa.String),
    sa.column("content_iri", sa.String),
)
tombstones = sa.table("tombstones", sa.column("iri", sa.String))
cases = sa.table("cases", sa.column("iri", sa.String))
replies = sa.table("replies", sa.column("iri", sa.String))


def _carried(body: str) -> tuple[str | None, str | None]:
    """As node/outbox/carried.py decided it when this revision was written."""
    try:
        activity: Any = json.loads(body)
    except ValueError:
        return None, None
    obj = activity.get("object") if isinstance(activity, dict) else None
    if not isinstance(obj, dict) or obj.get("type") not in ("Case", "Note"):
        return None, None
    iri = _iri(obj.get("id"))
    if obj["type"] == "Case":
        return iri, iri
    return _iri(obj.get("thread")), iri


def _iri(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _fill_carried(
    connection: sa.Connection,
    key: sa.ColumnClause[Any],
    body: sa.ColumnClause[Any],
    table: sa.TableClause,
    *conditions: sa.ColumnElement[bool],
) -> None:
    """Record what each row's JSON carries, a thousand rows at a time in key order."""
    after = 0
    while True:
        rows = connection.execute(
            sa.select(key, body).where(key > after, *conditions).order_by(key).limit(BATCH)
        ).all()
        if not rows:
            return
        values = []
        for row_key, text in rows:
            thread, content = _carried(text)
            if thread or content:
                values.append({"key": row_key, "thread": thread, "content": content})
        if values:
            connection.execute(
                table.update()
                .where(key == sa.bindparam("key"))
                .values(thread_iri=sa.bindparam("thread"), content_iri=sa.bindparam("content")),
                values,
            )
        after = rows[-1][0]


def upgrade() -> None:
    op.add_column("outbox", sa.Column("thread_iri", sa.String(length=500), nullable=True))
    op.add_column("outbox", sa.Column("content_iri", sa.String(length=500), nullable=True))
    op.add_column(
        "outbox",
        sa.Column("withdrawn_at", node.db.types.UTCDateTime(timezone=True), nullable=True),
    )
    connection = op.get_bind()
    _fill_carried(connection, outbox.c.seq, outbox.c.body, outbox)
    op.create_index("ix_outbox_thread_iri", "outbox", ["thread_iri"])
    op.create_index("ix_outbox_content_iri", "outbox", ["content_iri"])
    # Only tombstones of objects that are gone: a peer could leave one naming a live
    # object (fixed with this revision, relay.py), which must not lose its entries.
    deleted = sa.select(tombstones.c.iri).where(
        ~sa.exists().where(cases.c.iri == tombstones.c.iri),
        ~sa.exists().where(replies.c.iri == tombstones.c.iri),
    )
    connection.execute(
        outbox.update()
        .where(
            outbox.c.withdrawn_at.is_(None),
            sa.or_(outbox.c.thread_iri.in_(deleted), outbox.c.content_iri.in_(deleted)),
        )
        .values(body="", withdrawn_at=datetime.now(UTC))
    )
    op.add_column("inbox", sa.Column("thread_iri", sa.String(length=500), nullable=True))
    op.add_column("inbox", sa.Column("content_iri", sa.String(length=500), nullable=True))
    # Applied rows lose their JSON to the janitor within a day; pending and failed rows
    # keep it (failed ones for good), so they record what they carry, as new rows do.
    # A failed row of an object deleted already loses its JSON here.
    unfinished = inbox.c.state.in_(("pending", "failed"))
    _fill_carried(connection, inbox.c.id, inbox.c.activity, inbox, unfinished)
    op.create_index("ix_inbox_thread_iri", "inbox", ["thread_iri"])
    connection.execute(
        inbox.update()
        .where(
            inbox.c.state == "failed",
            sa.or_(inbox.c.thread_iri.in_(deleted), inbox.c.content_iri.in_(deleted)),
        )
        .values(activity="", raw="")
    )
    op.create_index(
        "ix_inbox_body_kept",
        "inbox",
        ["applied_at"],
        sqlite_where=BODY_KEPT,
        postgresql_where=BODY_KEPT,
    )


def downgrade() -> None:
    # Withdrawn entries have no body left; before this revision nothing skips them. A
    # recipient no peer has keeps them from being sent or listed (deleting them could
    # let SQLite hand their sequence numbers out again).
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE outbox SET recipient = 'withdrawn:', body = '{}' WHERE withdrawn_at IS NOT NULL"
        )
    )
    op.drop_index("ix_inbox_body_kept", table_name="inbox")
    op.drop_index("ix_inbox_thread_iri", table_name="inbox")
    with op.batch_alter_table("inbox") as batch_op:
        batch_op.drop_column("content_iri")
        batch_op.drop_column("thread_iri")
    op.drop_index("ix_outbox_content_iri", table_name="outbox")
    op.drop_index("ix_outbox_thread_iri", table_name="outbox")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("content_iri")
        batch_op.drop_column("thread_iri")
