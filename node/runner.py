"""Running a node inside an existing event loop (the demo, tests, benchmarks).

``curbside serve`` uses aiohttp's ``run_app``; everything that runs several nodes in
one process uses ``start_node`` instead, on a socket it may have bound beforehand (a
test binds port 0 first, so it knows the port before it writes the node's domain).
"""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from node.app import create_app
from node.config import NodeConfig
from node.state import NODE, NodeState


@dataclass
class RunningNode:
    config: NodeConfig
    app: web.Application
    runner: web.AppRunner

    @property
    def state(self) -> NodeState:
        return self.app[NODE]

    @property
    def base_url(self) -> str:
        return self.config.base_url

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_node(config: NodeConfig, *, sock: socket.socket | None = None) -> RunningNode:
    app = create_app(config)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    try:
        if sock is not None:
            site: web.BaseSite = web.SockSite(runner, sock)
        else:
            site = web.TCPSite(runner, config.listen_host, config.listen_port, reuse_address=True)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return RunningNode(config=config, app=app, runner=runner)


# Below the kernel's ephemeral range (Linux: from /proc, usually 32768-60999), from
# which outgoing connections and every bind to port 0 take theirs.
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST_CHOSEN_PORT = 10_000


def port_for_another_process() -> int:
    """A free loopback port for a server that another process will bind.

    A port found by binding to 0 and closing comes from the ephemeral range, where any
    other process may be handed the same port before ours binds it (a test then talks
    to the wrong node). Ports below that range are only ever taken by asking for them;
    this one is drawn at random among them and checked free."""
    try:
        ephemeral_low = int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32_768
    draw = random.SystemRandom()
    for _ in range(200):
        port = draw.randrange(_LOWEST_CHOSEN_PORT, max(ephemeral_low, _LOWEST_CHOSEN_PORT + 1))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            continue  # in use
        finally:
            sock.close()
        return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def bind_loopback(port: int = 0) -> socket.socket:
    """A listening-ready socket on 127.0.0.1 (port 0: the kernel picks a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock
