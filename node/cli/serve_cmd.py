"""``curbside serve DIR [--host H] [--port N]``"""

from __future__ import annotations

import argparse
import dataclasses

from aiohttp import web

from node.app import create_app
from node.cli.common import add_data_dir, load
from node.cli.errors import CliError
from node.config import check_port
from node.logs import configure_logging

SHUTDOWN_GRACE_S = 10.0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("serve", help="run the node until interrupted")
    add_data_dir(parser)
    parser.add_argument("--host", help="address to listen on (default: listen_host setting)")
    parser.add_argument("--port", type=int, help="port to listen on (default: listen_port setting)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if args.host is not None:
        config = dataclasses.replace(config, listen_host=args.host)
    if args.port is not None:
        try:
            config = dataclasses.replace(config, listen_port=check_port(args.port))
        except ValueError as error:
            raise CliError(f"--port {error}") from None
    configure_logging(config.log_level, config.log_format)
    app = create_app(config)
    # run_app handles SIGINT/SIGTERM: it stops accepting, lets requests finish for
    # up to the grace period, then runs the cleanup contexts (workers, database).
    web.run_app(
        app,
        host=config.listen_host,
        port=config.listen_port,
        access_log=None,
        print=None,
        shutdown_timeout=SHUTDOWN_GRACE_S,
    )
    return 0
