"""``curbside init DIR --domain HOST[:PORT] --country CC ...``"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from node.cli.common import add_data_dir
from node.config import check_domain, split_domain
from node.identity.keys import load_key
from node.lifecycle import initialise_node


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside init`` (node.cli.main names it and gives its help)."""
    add_data_dir(parser)
    parser.add_argument(
        "--domain", required=True, metavar="HOST[:PORT]", help="how peers reach this node"
    )
    parser.add_argument("--country", required=True, metavar="CC", help="ISO 3166-1 alpha-2 code")
    parser.add_argument("--name", metavar="TEXT", help="display name (default: Curbside CC)")
    parser.add_argument("--locale", metavar="LANG", help="default UI language (default: en)")
    parser.add_argument(
        "--database-url", metavar="URL", help="PostgreSQL URL (default: SQLite in DIR)"
    )
    parser.add_argument(
        "--insecure-http",
        action="store_true",
        help="serve and federate over plain http (loopback test networks only)",
    )
    parser.set_defaults(run=run)


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {"domain": args.domain, "country": args.country}
    for key in ("name", "locale", "database_url"):
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    if args.insecure_http:
        values["insecure_http"] = True
    # Listen on the public port by default, so `init --domain h:8101` + `serve` just works.
    try:
        port = split_domain(check_domain(args.domain))[1]
    except ValueError:
        port = None  # validate() reports the bad domain with its key name
    if port is not None:
        values["listen_port"] = port
    return values


def run(args: argparse.Namespace) -> int:
    config = asyncio.run(initialise_node(args.data_dir, settings_from_args(args)))
    key = load_key(config.keys_dir)
    print(f"initialised {config.name} at {config.base_url} in {config.data_dir}")
    print(f"node key fingerprint: {key.fingerprint}")
    return 0
