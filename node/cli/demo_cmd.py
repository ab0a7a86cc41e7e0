"""``curbside demo [--base-port 8101]``: three peered country nodes on loopback."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from node.demo import run_demo
from node.logs import configure_logging


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside demo`` (node.cli.main names it and gives its help)."""
    parser.add_argument("--base-port", type=int, default=8101)
    parser.add_argument(
        "--data", type=Path, help="keep the demo's data folders here (default: temporary)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    configure_logging("warning", "text")
    asyncio.run(run_demo(base_port=args.base_port, data=args.data))
    return 0
