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

from sqlalchemy import inspect, select
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


async def _refuse_unless_ours_to_fill(db: Database) -> None:
    """An empty database is taken, and so is one with our schema but no node: an
    ``init`` that stopped between migrating and recording the node (the two are
    separate transactions), or a schema a DBA applied ahead. Anything else is refused."""
    async with db.write_connection() as connection:
        tables = await connection.run_sync(_table_names)
    if "node" in tables:
        async with db.read() as session:
            if await session.scalar(select(NodeRecord.id)) is not None:
                raise SetupError(
                    f"the database {db.display_url} already holds a Curbside node; "
                    "use an empty database for a new node"
                )
    if "alembic_version" in tables:
        revision = await current_revision(db)
        if revision is not None and not is_known_revision(revision):
            raise SetupError(
                f"the database {db.display_url} holds another application's schema "
                f"(alembic revision {revision!r}); use an empty database for a new node"
            )


async def _create_database(config: NodeConfig) -> None:
    db = Database(config.sqlalchemy_url, pool_size=1)
    try:
        await db.ping()
        await _refuse_unless_ours_to_fill(db)
        if await current_revision(db) != head_revision():
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
