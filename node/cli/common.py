"""Small helpers the command modules share."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from node.config import NodeConfig, load_config
from node.db.engine import Database
from node.lifecycle import open_database

T = TypeVar("T")


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data_dir", metavar="DIR", type=Path, help="the node's data folder")


async def with_database(config: NodeConfig, work: Callable[[Database], Awaitable[T]]) -> T:
    db = await open_database(config)
    try:
        return await work(db)
    finally:
        await db.close()


def load(args: argparse.Namespace) -> NodeConfig:
    return load_config(args.data_dir)
