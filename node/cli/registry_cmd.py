"""``curbside registry import DIR FILE --format nppes|rpps|csv [--mapping FILE]``"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path

from node.cli.common import add_data_dir, load, with_database
from node.cli.errors import CliError
from node.db.engine import Database
from node.verification.import_summary import problem_lines, summary
from node.verification.importer import (
    DEFAULT_BATCH_SIZE,
    ImportOptions,
    ImportReport,
    MassSuspensionRefused,
    import_register,
)
from node.verification.progress import ProgressBar
from verification.registers.base import RegisterFormatError
from verification.registers.formats import FORMATS

_REGISTER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside registry`` (node.cli.main names it and gives its help)."""
    actions = parser.add_subparsers(
        dest="registry_action", required=True, parser_class=type(parser)
    )
    run = actions.add_parser(
        "import", help="import (or resume importing) a register file; re-running is safe"
    )
    add_data_dir(run)
    run.add_argument("file", metavar="FILE", type=Path, help="the register extract")
    run.add_argument("--format", required=True, choices=FORMATS)
    run.add_argument("--mapping", metavar="FILE", type=Path, help="column mapping (csv format)")
    run.add_argument(
        "--register",
        metavar="NAME",
        help="the register's name on this node (default: the format name)",
    )
    run.add_argument(
        "--allow-mass-suspension",
        action="store_true",
        help="apply the import even if it suspends more than 5%% of verified members",
    )
    run.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help=argparse.SUPPRESS)
    run.set_defaults(run=run_import)


def _options(args: argparse.Namespace) -> ImportOptions:
    if not args.file.is_file():
        raise CliError(f"{args.file}: no such file")
    if args.mapping is not None and not args.mapping.is_file():
        raise CliError(f"--mapping {args.mapping}: no such file")
    name = args.register or args.format
    if not _REGISTER_NAME.match(name):
        raise CliError(f"--register {name!r}: use 1-32 lowercase letters, digits, - or _")
    if args.batch_size < 1:
        raise CliError("--batch-size must be positive")
    return ImportOptions(
        path=args.file,
        format=args.format,
        register=name,
        mapping=args.mapping,
        batch_size=args.batch_size,
        allow_mass_suspension=args.allow_mass_suspension,
    )


def _print_report(report: ImportReport) -> None:
    print(summary(report))
    for line in problem_lines(report):
        print(line)


def run_import(args: argparse.Namespace) -> int:
    config = load(args)
    options = _options(args)
    bar = ProgressBar(sys.stderr, options.path.stat().st_size, f"{options.register}")

    async def work(db: Database) -> ImportReport:
        return await import_register(db, options, progress=bar)

    try:
        report = asyncio.run(with_database(config, work))
    except RegisterFormatError as error:
        raise CliError(f"{options.path.name}: {error}") from None
    except UnicodeDecodeError as error:
        raise CliError(f"--mapping {options.mapping}: not UTF-8 text ({error.reason})") from None
    except MassSuspensionRefused as refused:
        bar.close()
        _print_report(refused.report)
        raise CliError(f"{refused}; nothing changed for members") from None
    except KeyboardInterrupt:
        bar.close()
        print("import interrupted; run the same command again to resume", file=sys.stderr)
        raise
    finally:
        bar.close()
    _print_report(report)
    return 0
