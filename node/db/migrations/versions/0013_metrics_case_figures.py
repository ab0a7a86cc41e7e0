"""metrics: a narrow copy of each case's figures, kept by triggers

``metrics_cases`` holds what the metrics aggregate (dates, resolution, views, reply
count, time of the first reply by someone other than the author) in a few dozen
bytes per case, so the metrics read neither the cases' text nor every thread.
Triggers keep it in step with ``cases`` and ``replies``; deletes cascade. Existing
cases are copied here.

As with the full-text triggers (0008), a later SQLite batch migration that rebuilds
``cases`` or ``replies`` drops their triggers and must recreate the ``metrics_*``
triggers below.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 18:01:47.751233
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import node.db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    """CREATE TRIGGER metrics_cases_insert AFTER INSERT ON cases BEGIN
        INSERT INTO metrics_cases (case_id, is_local, created_at, deleted_at, resolved,
            resolved_at, found_what_needed, views, reply_count, first_reply_at)
        VALUES (new.id, new.is_local, new.created_at, new.deleted_at,
            new.status = 'resolved', new.resolved_at, new.found_what_needed,
            max(new.network_view_count, new.local_view_count), new.reply_count, NULL);
    END""",
    # Only the columns copied: an edit of the text does not touch the copy.
    """CREATE TRIGGER metrics_cases_update AFTER UPDATE OF
        is_local, created_at, deleted_at, status, resolved_at, found_what_needed,
        network_view_count, local_view_count, reply_count
        ON cases BEGIN
        UPDATE metrics_cases SET is_local = new.is_local, created_at = new.created_at,
            deleted_at = new.deleted_at, resolved = new.status = 'resolved',
            resolved_at = new.resolved_at, found_what_needed = new.found_what_needed,
            views = max(new.network_view_count, new.local_view_count),
            reply_count = new.reply_count
        WHERE case_id = new.id;
    END""",
    # Times are stored as ISO text in UTC, so text order is time order.
    """CREATE TRIGGER metrics_replies_insert AFTER INSERT ON replies BEGIN
        UPDATE metrics_cases SET first_reply_at = new.created_at
        WHERE case_id = new.case_id
            AND (first_reply_at IS NULL OR new.created_at < first_reply_at)
            AND new.author_iri != (SELECT author_iri FROM cases WHERE id = new.case_id);
    END""",
    """CREATE TRIGGER metrics_replies_delete AFTER DELETE ON replies BEGIN
        UPDATE metrics_cases SET first_reply_at = (
            SELECT min(r.created_at) FROM replies AS r JOIN cases AS c ON c.id = r.case_id
            WHERE r.case_id = old.case_id AND r.author_iri != c.author_iri)
        WHERE case_id = old.case_id AND first_reply_at = old.created_at;
    END""",
]

POSTGRESQL_UP = [
    """CREATE FUNCTION metrics_cases_copy() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO metrics_cases (case_id, is_local, created_at, deleted_at, resolved,
            resolved_at, found_what_needed, views, reply_count, first_reply_at)
        VALUES (NEW.id, NEW.is_local, NEW.created_at, NEW.deleted_at,
            NEW.status = 'resolved', NEW.resolved_at, NEW.found_what_needed,
            greatest(NEW.network_view_count, NEW.local_view_count), NEW.reply_count, NULL)
        ON CONFLICT (case_id) DO UPDATE SET is_local = EXCLUDED.is_local,
            created_at = EXCLUDED.created_at, deleted_at = EXCLUDED.deleted_at,
            resolved = EXCLUDED.resolved, resolved_at = EXCLUDED.resolved_at,
            found_what_needed = EXCLUDED.found_what_needed, views = EXCLUDED.views,
            reply_count = EXCLUDED.reply_count;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER metrics_cases_copy AFTER INSERT OR UPDATE OF
        is_local, created_at, deleted_at, status, resolved_at, found_what_needed,
        network_view_count, local_view_count, reply_count
        ON cases FOR EACH ROW EXECUTE FUNCTION metrics_cases_copy()""",
    """CREATE FUNCTION metrics_first_reply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE metrics_cases AS m SET first_reply_at = NEW.created_at
            FROM cases AS c
            WHERE m.case_id = NEW.case_id AND c.id = NEW.case_id
                AND c.author_iri <> NEW.author_iri
                AND (m.first_reply_at IS NULL OR NEW.created_at < m.first_reply_at);
        ELSE
            UPDATE metrics_cases SET first_reply_at = (
                SELECT min(r.created_at) FROM replies AS r JOIN cases AS c ON c.id = r.case_id
                WHERE r.case_id = OLD.case_id AND r.author_iri <> c.author_iri)
            WHERE case_id = OLD.case_id AND first_reply_at = OLD.created_at;
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER metrics_first_reply AFTER INSERT OR DELETE ON replies
        FOR EACH ROW EXECUTE FUNCTION metrics_first_reply()""",
]

BACKFILL = """INSERT INTO metrics_cases (case_id, is_local, created_at, deleted_at, resolved,
        resolved_at, found_what_needed, views, reply_count, first_reply_at)
    SELECT c.id, c.is_local, c.created_at, c.deleted_at, c.status = 'resolved',
        c.resolved_at, c.found_what_needed,
        CASE WHEN c.network_view_count > c.local_view_count
            THEN c.network_view_count ELSE c.local_view_count END,
        c.reply_count,
        (SELECT min(r.created_at) FROM replies AS r
            WHERE r.case_id = c.id AND r.author_iri <> c.author_iri)
    FROM cases AS c"""


def upgrade() -> None:
    op.create_table(
        "metrics_cases",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("is_local", sa.Boolean(), nullable=False),
        sa.Column("created_at", node.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", node.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("resolved_at", node.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("found_what_needed", sa.Boolean(), nullable=True),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("first_reply_at", node.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_metrics_cases_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_metrics_cases")),
    )
    with op.batch_alter_table("metrics_cases", schema=None) as batch_op:
        batch_op.create_index("ix_metrics_cases_created_at", ["created_at"], unique=False)
    op.execute(BACKFILL)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRESQL_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "metrics_cases_insert",
            "metrics_cases_update",
            "metrics_replies_insert",
            "metrics_replies_delete",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS metrics_first_reply ON replies")
        op.execute("DROP TRIGGER IF EXISTS metrics_cases_copy ON cases")
        op.execute("DROP FUNCTION IF EXISTS metrics_first_reply()")
        op.execute("DROP FUNCTION IF EXISTS metrics_cases_copy()")
    with op.batch_alter_table("metrics_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_metrics_cases_created_at")
    op.drop_table("metrics_cases")
