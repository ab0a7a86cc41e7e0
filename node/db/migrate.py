"""Running alembic migrations from code (``curbside init`` and ``curbside db upgrade``).

The migrations run on a connection we hand to alembic (see migrations/env.py), so the
same async engine settings apply and no alembic.ini is needed at run time.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from node.db.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return _head_of(_revision_files())


@functools.cache
def _head_of(revision_files: tuple[str, ...]) -> str:
    """Alembic imports every revision file to find the head (a tenth of a second, at
    every node start); the answer changes only when the files do."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def is_known_revision(revision: str) -> bool:
    """One of our migrations (a database another alembic project set up is not)."""
    return revision in _known_revisions(_revision_files())


def _revision_files() -> tuple[str, ...]:
    return tuple(sorted(path.name for path in (MIGRATIONS / "versions").glob("*.py")))


@functools.cache
def _known_revisions(revision_files: tuple[str, ...]) -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _downgrade(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(db: Database, revision: str = "head") -> str:
    """Migrate to ``revision`` in one transaction; returns the revision reached."""
    async with db.write_connection() as connection:
        await connection.run_sync(_upgrade, revision)
        reached = await connection.run_sync(_current)
    return reached or "base"


async def downgrade(db: Database, revision: str) -> str:
    """Step back to ``revision`` ("base" empties the schema). For development and tests."""
    async with db.write_connection() as connection:
        await connection.run_sync(_downgrade, revision)
        reached = await connection.run_sync(_current)
    return reached or "base"


async def current_revision(db: Database) -> str | None:
    async with db.write_connection() as connection:
        return await connection.run_sync(_current)
