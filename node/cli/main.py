"""Entry point of the ``curbside`` command: parse, dispatch, report errors in one line."""

from __future__ import annotations

import argparse
import faulthandler
import importlib
import signal
import sys
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final, NoReturn

from node import __version__

# Each command's module is imported only when that command runs: ``serve`` and ``demo``
# import the whole application (every feature, the de-identification word lists),
# which ``curbside --help`` or ``curbside peers list`` should not pay for (seconds of
# CPU). So the names and help texts live here; each module adds its own arguments.
COMMANDS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "init": ("node.cli.init_cmd", "create a node's data folder, key and database"),
        "serve": ("node.cli.serve_cmd", "run the node until interrupted"),
        "db": ("node.cli.db_cmd", "database maintenance"),
        "members": ("node.cli.members_cmd", "manage this node's members"),
        "token": ("node.cli.token_cmd", "print a new API token for a member"),
        "peers": ("node.cli.peers_cmd", "manage the peer nodes this node federates with"),
        "registry": ("node.cli.registry_cmd", "the national licence register"),
        "keys": ("node.cli.keys_cmd", "manage the node's signing key"),
        "demo": ("node.cli.demo_cmd", "run three demo nodes (US, DE, FR) until Ctrl-C"),
    }
)

# Errors whose message is written for the operator; anything else is a bug and keeps
# its traceback so it can be reported. Named, not imported, for the same reason.
EXPECTED_ERRORS: Final = (
    ("node.cli.errors", "CliError"),
    ("node.config", "ConfigError"),
    ("node.lifecycle", "SetupError"),
    ("node.db.engine", "DatabaseUnavailable"),
    ("node.identity.keys", "KeyFileError"),
)


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage on error; operators' scripts want one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the arguments of ``command`` only (the others are listed by
    name and help, which is all ``--help`` shows of them)."""
    parser = OneLineParser(prog="curbside", description="Run a Curbside node.")
    parser.add_argument("--version", action="version", version=f"curbside {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name, (module, help_text) in COMMANDS.items():
        subparser = commands.add_parser(name, help=help_text)
        if name == command:
            importlib.import_module(module).register(subparser)
    return parser


def command_of(argv: Sequence[str]) -> str | None:
    """The command named in ``argv``: the first word that is not an option (the only
    options before it, --help and --version, take no value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def is_expected(error: BaseException) -> bool:
    """Whether ``error`` is one of EXPECTED_ERRORS (imported now: failing is not hot)."""
    kinds = tuple(
        getattr(importlib.import_module(module), name) for module, name in EXPECTED_ERRORS
    )
    return isinstance(error, kinds)


def main(argv: Sequence[str] | None = None) -> None:
    # `kill -USR1 <pid>` writes every thread's stack to stderr: how an operator (or a
    # test) sees where a node that does not stop, or does not answer, is waiting.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(command_of(words)).parse_args(words)
    try:
        status = args.run(args)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # the CLI's boundary: the operator's errors in one line
        if not is_expected(error):
            raise
        print(f"curbside: error: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(status or 0)
