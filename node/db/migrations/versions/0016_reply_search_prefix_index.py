"""search (SQLite): prefix indexes on the replies' full-text table

A prefix query ("nephr*") made FTS5 read the posting list of every indexed word
starting with those letters and merge them: over 1,000,000 replies, 0.5-1.7 s for a
four-letter prefix, the slowest searches of all. With ``prefix='3 4 5'`` FTS5 also
indexes each word's first three, four and five letters, and such a query reads one
posting list (longer prefixes match few words and stay cheap without). The table is
rebuilt from ``replies``: about 70 s at 1,000,000 replies on our 2-core machine, a
second or two on a node of ordinary size; the index grows by about a third.

The cases' table keeps no prefix index: it is a tenth of the size and its prefix
queries already take a few milliseconds. The triggers of 0008 refer to the table by
name and keep working. PostgreSQL is unchanged (prefix matching uses its GIN index).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 02:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZER = "unicode61 remove_diacritics 2"


def _rebuild(options: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE search_replies")
    op.execute(
        "CREATE VIRTUAL TABLE search_replies USING fts5(content, content='replies', "
        f"content_rowid='id', tokenize='{TOKENIZER}'{options})"
    )
    op.execute("INSERT INTO search_replies (search_replies) VALUES ('rebuild')")


def upgrade() -> None:
    _rebuild(", prefix='3 4 5'")


def downgrade() -> None:
    _rebuild("")
