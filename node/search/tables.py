"""The full-text index objects, which a migration creates and the models do not describe.

The index lives beside the tables it indexes and is kept in step by database
triggers, so every way a case or reply is written (API, inbox worker, edits,
deletes and their cascades) updates it without the writing code knowing:

- SQLite: FTS5 external-content tables ``search_cases`` (title, body, question) and
  ``search_replies`` (content) over ``cases`` and ``replies``; FTS5 adds shadow tables
  named ``search_cases_data``, ``search_cases_idx`` and so on.
- PostgreSQL: tables ``search_cases`` / ``search_replies`` holding a ``tsvector`` per
  row, built with the text search configuration of the case's language, with GIN
  indexes.

SQLAlchemy cannot describe virtual tables or tsvector triggers, so the comparison of
models with migrations (alembic autogenerate, tests/node/test_migrations.py) is told
to leave these names alone with ``include_name``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from alembic.environment import NameFilterParentNames, NameFilterType

SEARCH_TABLES = ("search_cases", "search_replies")

# Triggers that keep the index in step, per dialect (a test checks that they still
# exist at head: SQLite drops a table's triggers when a batch migration rebuilds it,
# so a later migration that rebuilds ``cases`` or ``replies`` must recreate them).
SQLITE_TRIGGERS = (
    "search_cases_insert",
    "search_cases_update",
    "search_cases_delete",
    "search_replies_insert",
    "search_replies_update",
    "search_replies_delete",
)
POSTGRESQL_TRIGGERS = ("search_cases_index", "search_replies_index")

# The PostgreSQL text search configuration for each case language (stemming and
# stop words). Polish and Hebrew have no built-in configuration: "simple" only folds
# case. The migration holds its own frozen copy; this one serves queries.
LANGUAGE_CONFIGS: Mapping[str, str] = MappingProxyType(
    {
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
)


def is_search_object(name: str | None) -> bool:
    """A table of the full-text index (FTS5 shadow tables included)."""
    return name is not None and any(
        name == table or name.startswith(f"{table}_") for table in SEARCH_TABLES
    )


def include_name(
    name: str | None, type_: NameFilterType, _parent_names: NameFilterParentNames
) -> bool:
    """Alembic's ``include_name`` hook: skip the index tables before reflecting them."""
    return not (type_ == "table" and is_search_object(name))
