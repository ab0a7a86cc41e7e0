"""``curbside keys rotate DIR``: replace the node's signing key."""

from __future__ import annotations

import argparse

from node.cli.common import add_data_dir, load
from node.identity.keys import rotate_key


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside keys`` (node.cli.main names it and gives its help)."""
    actions = parser.add_subparsers(dest="keys_action", required=True, parser_class=type(parser))
    rotate = actions.add_parser(
        "rotate", help="replace the signing key (peers follow automatically)"
    )
    add_data_dir(rotate)
    rotate.set_defaults(run=run_rotate)


def run_rotate(args: argparse.Namespace) -> int:
    config = load(args)
    old, new = rotate_key(config.keys_dir, config.base_url)
    print(f"rotated the node key: {old.fingerprint} -> {new.fingerprint}")
    print("restart the node to sign with the new key; peers accept it on the next request")
    return 0
