"""Creating a node's data folder and opening an existing one safely.

``curbside init`` builds the whole data folder in a hidden staging folder next to the
target and renames it into place only when everything (config, key, database) is
done, so a failed init never leaves a half-written data folder behind.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, literal_column, select, table
from sqlalchemy.engine import Connection

from node.audit.service import record
from node.config import NodeConfig, validate, with_data_dir, write_config
from node.db.engine import Database
from node.db.migrate import current_revision, head_revision, is_known_revision, upgrade
from node.identity.keys import create_key
from node.identity.models import NodeRecord
from node.identity.secret import create_secret


class SetupError(RuntimeError):
    """The data folder or its database is not in a state we can work with."""


def _table_names(connection: Connection) -> list[str]:
    return inspect(connection).get_table_names()


# Tables that hold a node's data from its first day. A database with our schema and
# rows in any of them belongs to a node whose record is missing (deleted by hand, a
# partial restore): filling it in for a new domain would adopt that node's members.
DATA_TABLES = frozenset({"members", "cases", "replies", "peers", "outbox", "inbox"})


def _refuse(db: Database, holds: str) -> SetupError:
    return SetupError(f"the database {db.display_url} {holds}; use an empty database")


async def _refuse_unless_ours_to_fill(db: Database) -> str | None:
    """An empty database is taken, and so is one with our schema and no data yet: an
    ``init`` that stopped between migrating and recording the node (the two are
    separate transactions), or a schema a DBA applied ahead. Anything else is refused.
    The revision the database is at (None if empty)."""
    async with db.write_connection() as connection:
        tables = set(await connection.run_sync(_table_names))
    if not tables:
        return None
    revision = await current_revision(db) if "alembic_version" in tables else None
    if revision is None or not is_known_revision(revision) or "node" not in tables:
        known = f"alembic revision {revision!r}" if revision else "tables"
        raise _refuse(
            db, f"holds {known} this version of Curbside does not know (another application's?)"
        )
    async with db.read() as session:
        if await session.scalar(select(NodeRecord.id)) is not None:
            raise _refuse(db, "already holds a Curbside node")
        for name in sorted(DATA_TABLES & tables):
            if await session.scalar(select(literal_column("1")).select_from(table(name))):
                raise _refuse(db, f"holds a Curbside node's data ({name}) but no node record")
    return revision


async def _create_database(config: NodeConfig) -> None:
    db = Database(config.sqlalchemy_url, pool_size=1)
    try:
        await db.ping()
        if await _refuse_unless_ours_to_fill(db) != head_revision():
            await upgrade(db)
        async with db.write() as session:
            session.add(NodeRecord(id=1, domain=config.domain, country=config.country))
            record(session, actor="cli", action="node.init", subject=config.domain)
    finally:
        await db.close()


def _absolute(path: Path) -> Path:
    return path.absolute()


def _stage(target: Path) -> Path:
    """Check ``target`` can become a data folder; make the staging folder beside it."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SetupError(f"{target} already exists; choose a new data folder")
    if not target.parent.is_dir():
        raise SetupError(f"the folder {target.parent} does not exist")
    # mkdtemp creates the folder 0700: it will hold the private key and database.
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))


def _publish(staging: Path, target: Path) -> None:
    if target.exists():
        target.rmdir()  # an empty folder the operator made for us
    staging.rename(target)


async def initialise_node(target: Path, values: dict[str, Any]) -> NodeConfig:
    """Create the data folder ``target``: config file, node key, migrated database."""
    target = _absolute(target)
    config = validate(target, values, source="curbside init")
    staging = _stage(target)
    try:
        staged = with_data_dir(config, staging)
        write_config(staged)
        create_key(staged.keys_dir)
        create_secret(staged.keys_dir)
        await _create_database(staged)
        _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return config


async def check_database(
    config: NodeConfig, db: Database, *, require_current_schema: bool = True
) -> None:
    """Raise SetupError unless the database is reachable, migrated and this node's."""
    await db.ping()
    revision = await current_revision(db)
    if revision is None:
        raise SetupError(f"the database {db.display_url} is empty; run `curbside init`")
    head = head_revision()
    if require_current_schema and revision != head:
        raise SetupError(
            f"the database schema is at revision {revision} but this Curbside needs {head}; "
            f"run `curbside db upgrade {config.data_dir}`"
        )
    async with db.read() as session:
        row = await session.scalar(select(NodeRecord))
    if row is None:
        raise SetupError(f"the database {db.display_url} has no node record")
    if (row.domain, row.country) != (config.domain, config.country):
        raise SetupError(
            f"the database belongs to node {row.domain} ({row.country}), "
            f"but the config says {config.domain} ({config.country})"
        )


async def open_database(config: NodeConfig, *, require_current_schema: bool = True) -> Database:
    """The node's database, checked (see check_database); the caller closes it."""
    db = Database(config.sqlalchemy_url)
    try:
        await check_database(config, db, require_current_schema=require_current_schema)
    except BaseException:
        await db.close()
        raise
    return db
