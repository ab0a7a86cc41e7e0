"""``curbside serve DIR [--host H] [--port N]``"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import socket

from aiohttp import web

from node.app import create_app
from node.cli.common import add_data_dir, load
from node.cli.errors import CliError
from node.config import NodeConfig, check_port
from node.identity.keys import load_key
from node.lifecycle import open_database
from node.logs import configure_logging

SHUTDOWN_GRACE_S = 10.0


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside serve`` (node.cli.main names it and gives its help)."""
    add_data_dir(parser)
    parser.add_argument("--host", help="address to listen on (default: listen_host setting)")
    parser.add_argument("--port", type=int, help="port to listen on (default: listen_port setting)")
    parser.set_defaults(run=run)


async def _preflight(config: NodeConfig) -> None:
    db = await open_database(config)
    await db.close()


def _bind(config: NodeConfig) -> socket.socket:
    where = f"{config.listen_host}:{config.listen_port}"
    try:
        infos = socket.getaddrinfo(
            config.listen_host, config.listen_port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except OSError as error:
        raise CliError(f"cannot listen on {where}: {error.strerror or error}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise CliError(f"cannot listen on {where}: {error.strerror or error}") from None
    return sock


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if args.host is not None:
        config = dataclasses.replace(config, listen_host=args.host)
    if args.port is not None:
        try:
            config = dataclasses.replace(config, listen_port=check_port(args.port))
        except ValueError as error:
            raise CliError(f"--port {error}") from None
    # Pre-flight: report a bad key, an unreachable, stale or foreign database, or a
    # taken port as one plain line before any logging starts (the app re-checks the
    # database when it starts; binding first also means no "started" line is logged
    # for a node that could never listen).
    load_key(config.keys_dir)
    asyncio.run(_preflight(config))
    sock = _bind(config)
    configure_logging(config.log_level, config.log_format)
    # run_app handles SIGINT/SIGTERM: it stops accepting, lets requests finish for
    # up to the grace period, then runs the cleanup contexts (workers, database).
    web.run_app(
        create_app(config),
        sock=sock,
        access_log=None,
        print=None,
        shutdown_timeout=SHUTDOWN_GRACE_S,
    )
    return 0
