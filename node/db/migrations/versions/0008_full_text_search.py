"""full-text search over cases and replies

SQLite: FTS5 external-content tables over ``cases`` and ``replies`` (unicode61 with
diacritics removed, so "Guillain-Barre" finds "Guillain-Barré"), kept in step by
triggers. PostgreSQL: a ``tsvector`` per case and per reply, built with the text
search configuration of the case's language (stemming: "Nieren" finds "Niere"), GIN
indexes, kept in step by triggers. Existing rows are indexed here.

The DDL is written out in full rather than imported from node.search, so that this
revision keeps building the same schema whatever the application code becomes.
A later SQLite batch migration that rebuilds ``cases`` or ``replies`` drops their
triggers and must recreate the ``search_*`` triggers below.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZER = "unicode61 remove_diacritics 2"

SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE search_cases USING fts5(
        title, body, question, content='cases', content_rowid='id', tokenize='{TOKENIZER}')""",
    f"""CREATE VIRTUAL TABLE search_replies USING fts5(
        content, content='replies', content_rowid='id', tokenize='{TOKENIZER}')""",
    """CREATE TRIGGER search_cases_insert AFTER INSERT ON cases BEGIN
        INSERT INTO search_cases (rowid, title, body, question)
        VALUES (new.id, new.title, new.body, new.question);
    END""",
    """CREATE TRIGGER search_cases_delete AFTER DELETE ON cases BEGIN
        INSERT INTO search_cases (search_cases, rowid, title, body, question)
        VALUES ('delete', old.id, old.title, old.body, old.question);
    END""",
    # Only when the text changes: view counts and thread state update cases often.
    """CREATE TRIGGER search_cases_update AFTER UPDATE OF title, body, question ON cases BEGIN
        INSERT INTO search_cases (search_cases, rowid, title, body, question)
        VALUES ('delete', old.id, old.title, old.body, old.question);
        INSERT INTO search_cases (rowid, title, body, question)
        VALUES (new.id, new.title, new.body, new.question);
    END""",
    """CREATE TRIGGER search_replies_insert AFTER INSERT ON replies BEGIN
        INSERT INTO search_replies (rowid, content) VALUES (new.id, new.content);
    END""",
    # Also fires for replies removed by ON DELETE CASCADE when their case is deleted.
    """CREATE TRIGGER search_replies_delete AFTER DELETE ON replies BEGIN
        INSERT INTO search_replies (search_replies, rowid, content)
        VALUES ('delete', old.id, old.content);
    END""",
    """CREATE TRIGGER search_replies_update AFTER UPDATE OF content ON replies BEGIN
        INSERT INTO search_replies (search_replies, rowid, content)
        VALUES ('delete', old.id, old.content);
        INSERT INTO search_replies (rowid, content) VALUES (new.id, new.content);
    END""",
    "INSERT INTO search_cases (search_cases) VALUES ('rebuild')",
    "INSERT INTO search_replies (search_replies) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    *(
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "search_cases_insert",
            "search_cases_update",
            "search_cases_delete",
            "search_replies_insert",
            "search_replies_update",
            "search_replies_delete",
        )
    ),
    "DROP TABLE IF EXISTS search_replies",
    "DROP TABLE IF EXISTS search_cases",
]

# Case language -> text search configuration (frozen copy; see node/search/tables.py).
CONFIGS = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "da": "danish",
    "sv": "swedish",
    "nb": "norwegian",
    "fi": "finnish",
    "hu": "hungarian",
    "el": "greek",
    "pl": "simple",
    "he": "simple",
}


def _config_function(available: set[str]) -> str:
    # A configuration this server lacks (Greek arrived in PostgreSQL 13's snowball
    # set) falls back to "simple" rather than failing every insert.
    branches = "\n".join(
        f"        WHEN '{language}' THEN '{config if config in available else 'simple'}'"
        for language, config in CONFIGS.items()
    )
    return f"""CREATE FUNCTION curbside_search_config(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE language
{branches}
        ELSE 'simple' END)::regconfig
    $$"""


POSTGRESQL_UP = [
    """CREATE TABLE search_cases (
        case_id integer PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
        config regconfig NOT NULL,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX ix_search_cases_document ON search_cases USING gin (document)",
    """CREATE TABLE search_replies (
        reply_id integer PRIMARY KEY REFERENCES replies (id) ON DELETE CASCADE,
        case_id integer NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        config regconfig NOT NULL,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX ix_search_replies_document ON search_replies USING gin (document)",
    "CREATE INDEX ix_search_replies_case_id ON search_replies (case_id)",
    # Title weighs most (A), then the question (B), then the history (C); replies D.
    """CREATE FUNCTION search_cases_index() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        cfg regconfig := curbside_search_config(NEW.language);
    BEGIN
        INSERT INTO search_cases (case_id, config, document)
        VALUES (
            NEW.id,
            cfg,
            setweight(to_tsvector(cfg, NEW.title), 'A')
                || setweight(to_tsvector(cfg, NEW.question), 'B')
                || setweight(to_tsvector(cfg, NEW.body), 'C')
        )
        ON CONFLICT (case_id) DO UPDATE
            SET config = EXCLUDED.config, document = EXCLUDED.document;
        IF TG_OP = 'UPDATE' AND NEW.language IS DISTINCT FROM OLD.language THEN
            UPDATE search_replies AS s
                SET config = cfg, document = to_tsvector(cfg, r.content)
                FROM replies AS r
                WHERE r.id = s.reply_id AND s.case_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$""",
    # Only when the text changes: view counts and thread state update cases often.
    """CREATE TRIGGER search_cases_index
        AFTER INSERT OR UPDATE OF title, body, question, language ON cases
        FOR EACH ROW EXECUTE FUNCTION search_cases_index()""",
    # A reply is read in its case's language (replies carry no language of their own).
    """CREATE FUNCTION search_replies_index() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_replies (reply_id, case_id, config, document)
        SELECT NEW.id, NEW.case_id, cfg, to_tsvector(cfg, NEW.content)
        FROM (SELECT curbside_search_config(language) AS cfg
              FROM cases WHERE id = NEW.case_id) AS c
        ON CONFLICT (reply_id) DO UPDATE
            SET config = EXCLUDED.config, document = EXCLUDED.document;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER search_replies_index
        AFTER INSERT OR UPDATE OF content ON replies
        FOR EACH ROW EXECUTE FUNCTION search_replies_index()""",
    """INSERT INTO search_cases (case_id, config, document)
        SELECT id, curbside_search_config(language),
            setweight(to_tsvector(curbside_search_config(language), title), 'A')
                || setweight(to_tsvector(curbside_search_config(language), question), 'B')
                || setweight(to_tsvector(curbside_search_config(language), body), 'C')
        FROM cases""",
    """INSERT INTO search_replies (reply_id, case_id, config, document)
        SELECT r.id, r.case_id, curbside_search_config(c.language),
            to_tsvector(curbside_search_config(c.language), r.content)
        FROM replies AS r JOIN cases AS c ON c.id = r.case_id""",
]

POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS search_replies_index ON replies",
    "DROP TRIGGER IF EXISTS search_cases_index ON cases",
    "DROP FUNCTION IF EXISTS search_replies_index()",
    "DROP FUNCTION IF EXISTS search_cases_index()",
    "DROP TABLE IF EXISTS search_replies",
    "DROP TABLE IF EXISTS search_cases",
    "DROP FUNCTION IF EXISTS curbside_search_config(text)",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        statements = SQLITE_UP
    else:
        available = set(bind.execute(sa.text("SELECT cfgname FROM pg_ts_config")).scalars())
        statements = [_config_function(available), *POSTGRESQL_UP]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in SQLITE_DOWN if bind.dialect.name == "sqlite" else POSTGRESQL_DOWN:
        op.execute(statement)
