"""``curbside db upgrade DIR``"""

from __future__ import annotations

import argparse
import asyncio

from node.cli.common import add_data_dir, load
from node.config import NodeConfig
from node.db.engine import Database
from node.db.migrate import upgrade
from node.lifecycle import check_database


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside db`` (node.cli.main names it and gives its help)."""
    actions = parser.add_subparsers(dest="db_action", required=True, parser_class=type(parser))
    up = actions.add_parser("upgrade", help="apply pending migrations")
    add_data_dir(up)
    up.set_defaults(run=run_upgrade)


async def _upgrade(config: NodeConfig) -> str:
    db = Database(config.sqlalchemy_url, pool_size=1)
    try:
        await check_database(config, db, require_current_schema=False)
        return await upgrade(db)
    finally:
        await db.close()


def run_upgrade(args: argparse.Namespace) -> int:
    config = load(args)
    revision = asyncio.run(_upgrade(config))
    print(f"database at revision {revision}")
    return 0
