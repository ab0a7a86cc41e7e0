"""A throwaway PostgreSQL cluster for the test session (initdb + pg_ctl in a temp dir).

The cluster listens on a free loopback port with trust auth and fsync off (speed; the
data is thrown away). PostgreSQL refuses to run as root, so when the tests run as
root (CI containers) the server runs as the ``postgres`` system user the Debian
package creates.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from node.db.engine import Database
from node.db.migrate import upgrade

TEMPLATE = "curbside_schema_template"


class PostgresUnavailable(RuntimeError):
    pass


def migrate_in_a_thread(url: str) -> None:
    """Run every migration on the database ``url``, from synchronous code that may be
    called while an event loop runs (a fixture's factory called by an async test)."""

    async def migrate() -> None:
        db = Database(url, pool_size=1)
        try:
            await upgrade(db)
        finally:
            await db.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, migrate()).result()


def _find_bindir() -> Path:
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    for folder in sorted(versions, key=lambda p: int(p.parent.name), reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresUnavailable("no PostgreSQL server binaries (initdb, pg_ctl) found")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresCluster:
    bindir: Path
    datadir: Path
    port: int
    run_as: str | None
    counter: int = 0
    template_ready: bool = False

    def _cmd(self, *args: str) -> list[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *command] if self.run_as else command

    def _run(self, *args: str) -> None:
        result = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}"
            )

    @classmethod
    def start(cls) -> PostgresCluster:
        bindir = _find_bindir()
        run_as = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root and there is no 'postgres' user"
                ) from None
            run_as = "postgres"
        datadir = Path(tempfile.mkdtemp(prefix="curbside-pg-"))
        if run_as:
            shutil.chown(datadir, run_as, run_as)
        cluster = cls(bindir=bindir, datadir=datadir, port=_free_port(), run_as=run_as)
        cluster._run(
            "initdb",
            "-D",
            str(datadir),
            "-U",
            "curbside",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8" if _has_c_utf8() else "--locale=C",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={cluster.port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
        )
        cluster._run(
            "pg_ctl",
            "-D",
            str(datadir),
            "-o",
            options,
            "-l",
            str(datadir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        return cluster

    def stop(self) -> None:
        subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop"),
            capture_output=True,
            timeout=60,
        )
        # Every test database is a copy of the template's files: a few GB by the end
        # of a worker, which took rmtree 45-50 s at the worker's last teardown (the
        # tail of the whole run). An orphaned rm deletes them while pytest finishes.
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" &', "rm", str(self.datadir)], check=False)

    def _url(self, name: str) -> str:
        return f"postgresql+asyncpg://curbside@127.0.0.1:{self.port}/{name}"

    def _client(self, tool: str, *args: str) -> None:
        """Run a client program (createdb, dropdb) against this cluster."""
        self._run(tool, "-h", "127.0.0.1", "-p", str(self.port), "-U", "curbside", *args)

    def _new_database(self, *options: str) -> str:
        self.counter += 1
        name = f"curbside_test_{os.getpid()}_{self.counter}"
        self._client("createdb", *options, name)
        return self._url(name)

    def create_database(self) -> str:
        """A fresh empty database; returns its async SQLAlchemy URL."""
        return self._new_database()

    def create_migrated_database(self) -> str:
        """A fresh database with the schema at head, cloned from a template migrated
        once per cluster; returns its async SQLAlchemy URL."""
        if not self.template_ready:
            self._client("createdb", TEMPLATE)
            try:
                migrate_in_a_thread(self._url(TEMPLATE))
            except BaseException:
                # Or every later test would fail on "already exists", hiding this error.
                self._client("dropdb", TEMPLATE)
                raise
            self.template_ready = True
        return self._new_database("--template", TEMPLATE)


def _has_c_utf8() -> bool:
    result = subprocess.run(["locale", "-a"], capture_output=True, text=True)
    return any(line.lower() in ("c.utf8", "c.utf-8") for line in result.stdout.splitlines())
