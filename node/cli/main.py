"""Entry point of the ``curbside`` command: parse, dispatch, report errors in one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from node import __version__
from node.cli import (
    db_cmd,
    demo_cmd,
    init_cmd,
    keys_cmd,
    members_cmd,
    peers_cmd,
    registry_cmd,
    serve_cmd,
    token_cmd,
)
from node.cli.errors import CliError
from node.config import ConfigError
from node.db.engine import DatabaseUnavailable
from node.identity.keys import KeyFileError
from node.lifecycle import SetupError

# Errors whose message is written for the operator; anything else is a bug and keeps
# its traceback so it can be reported.
EXPECTED_ERRORS = (CliError, ConfigError, SetupError, DatabaseUnavailable, KeyFileError)

COMMANDS = (
    init_cmd,
    serve_cmd,
    db_cmd,
    members_cmd,
    token_cmd,
    peers_cmd,
    registry_cmd,
    keys_cmd,
    demo_cmd,
)


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage on error; operators' scripts want one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="curbside", description="Run a Curbside node.")
    parser.add_argument("--version", action="version", version=f"curbside {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.run(args)
    except EXPECTED_ERRORS as error:
        print(f"curbside: error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(status or 0)
