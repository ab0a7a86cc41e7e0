"""metrics: the author's own reply is not an answer, under whichever identity

0013 told the author's replies apart by ``author_iri`` alone. An anonymous case's
author is its pseudonym's IRI, so the author's *named* reply beneath it (or an
anonymous reply beneath a named case) counted as "a reply from a colleague" and set
the time to the first reply. On the author's own node the two are linked by
``author_member_id``; the triggers now compare that too. Other nodes cannot tell,
and must not be able to: that is what anonymity means.

The cases already miscounted are recomputed: only cases with such a reply, found
through the local replies (``author_member_id`` is set on those only).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 12:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# "Written by the case's author": the same IRI, or (on the author's node) the same
# member. Never NULL (coalesce): a NULL would drop the reply from every comparison.
SQLITE_UP = [
    "DROP TRIGGER metrics_replies_insert",
    "DROP TRIGGER metrics_replies_delete",
    """CREATE TRIGGER metrics_replies_insert AFTER INSERT ON replies BEGIN
        UPDATE metrics_cases SET first_reply_at = new.created_at
        WHERE case_id = new.case_id
            AND (first_reply_at IS NULL OR new.created_at < first_reply_at)
            AND NOT EXISTS (SELECT 1 FROM cases AS c WHERE c.id = new.case_id
                AND (new.author_iri = c.author_iri
                    OR coalesce(new.author_member_id = c.author_member_id, 0)));
    END""",
    """CREATE TRIGGER metrics_replies_delete AFTER DELETE ON replies BEGIN
        UPDATE metrics_cases SET first_reply_at = (
            SELECT min(r.created_at) FROM replies AS r JOIN cases AS c ON c.id = r.case_id
            WHERE r.case_id = old.case_id AND r.author_iri != c.author_iri
                AND NOT coalesce(r.author_member_id = c.author_member_id, 0))
        WHERE case_id = old.case_id AND first_reply_at = old.created_at;
    END""",
]

POSTGRESQL_UP = """CREATE OR REPLACE FUNCTION metrics_first_reply() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE metrics_cases AS m SET first_reply_at = NEW.created_at
            FROM cases AS c
            WHERE m.case_id = NEW.case_id AND c.id = NEW.case_id
                AND c.author_iri <> NEW.author_iri
                AND NOT coalesce(NEW.author_member_id = c.author_member_id, false)
                AND (m.first_reply_at IS NULL OR NEW.created_at < m.first_reply_at);
        ELSE
            UPDATE metrics_cases SET first_reply_at = (
                SELECT min(r.created_at) FROM replies AS r JOIN cases AS c ON c.id = r.case_id
                WHERE r.case_id = OLD.case_id AND r.author_iri <> c.author_iri
                    AND NOT coalesce(r.author_member_id = c.author_member_id, false))
            WHERE case_id = OLD.case_id AND first_reply_at = OLD.created_at;
        END IF;
        RETURN NULL;
    END
    $$"""

# The cases a reply by their author under the other identity miscounted.
RECOMPUTE = """UPDATE metrics_cases SET first_reply_at = (
        SELECT min(r.created_at) FROM replies AS r JOIN cases AS c ON c.id = r.case_id
        WHERE r.case_id = metrics_cases.case_id AND r.author_iri <> c.author_iri
            AND NOT coalesce(r.author_member_id = c.author_member_id, {false}))
    WHERE case_id IN (
        SELECT r.case_id FROM replies AS r JOIN cases AS c ON c.id = r.case_id
        WHERE r.author_member_id = c.author_member_id AND r.author_iri <> c.author_iri)"""

# 0013's triggers, for the downgrade.
SQLITE_DOWN = [
    "DROP TRIGGER metrics_replies_insert",
    "DROP TRIGGER metrics_replies_delete",
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

POSTGRESQL_DOWN = """CREATE OR REPLACE FUNCTION metrics_first_reply() RETURNS trigger
    LANGUAGE plpgsql AS $$
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
    $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        op.execute(RECOMPUTE.format(false="0"))
    else:
        op.execute(POSTGRESQL_UP)
        op.execute(RECOMPUTE.format(false="false"))


def downgrade() -> None:
    # The figures stay as recomputed; only the comparison goes back to IRIs alone.
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute(POSTGRESQL_DOWN)
