"""The ``curbside`` command as operators run it: a real process, real files, real HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.runner import port_for_another_process

CURBSIDE = str(Path(sys.executable).parent / "curbside")


def curbside(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CURBSIDE, *args], capture_output=True, text=True, timeout=120, env=env or os.environ.copy()
    )


def free_port() -> int:
    """For a server another process (or a later bind) takes: see the helper."""
    return port_for_another_process()


def http(method: str, url: str, token: str | None = None) -> tuple[int, dict[str, object], str]:
    request = urllib.request.Request(url, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers["Content-Type"]


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("curbside: error:"), lines
    for needle in needles:
        assert needle in lines[0], lines[0]


def no_leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if ".init-" in p.name]


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    """A node made with `curbside init` and running under `curbside serve`."""
    port = free_port()
    folder = tmp_path / "node"
    args = [
        "init",
        str(folder),
        "--domain",
        f"127.0.0.1:{port}",
        "--country",
        "US",
        "--insecure-http",
    ]
    if not database_url.startswith("sqlite"):
        args += ["--database-url", database_url]
    result = curbside(*args)
    assert result.returncode == 0, result.stderr
    assert "fingerprint: SHA256:" in result.stdout
    process = subprocess.Popen(
        [CURBSIDE, "serve", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if http("GET", base + "/healthz")[0] == 200:
                break
        except (ConnectionError, urllib.error.URLError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"serve did not come up: {process.communicate()[1]}")
        time.sleep(0.1)
    try:
        yield folder, base, process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_init_serve_member_token_me(served: tuple[Path, str, subprocess.Popen[str]]) -> None:
    folder, base, process = served
    assert http("GET", base + "/healthz")[:2] == (200, {"status": "ok"})
    added = curbside(
        "members",
        "add",
        str(folder),
        "--email",
        "Ana@Example.org",
        "--name",
        "Ana Ruiz",
        "--specialty",
        "pediatrics",
        "--verified",
    )
    assert added.returncode == 0, added.stderr
    token = curbside("token", str(folder), "--email", "ana@example.org")
    assert token.returncode == 0, token.stderr
    lines = token.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cs_")
    status, body, _ = http("GET", base + "/api/v1/me", token=lines[0])
    assert status == 200
    assert (body["email"], body["status"]) == ("ana@example.org", "verified")
    status, body, content_type = http("GET", base + "/api/v1/me", token="cs_wrong")
    assert status == 401
    assert content_type.startswith("application/problem+json")
    assert body["status"] == 401
    # Revoking every token of the member: the one above stops working at once.
    second = curbside("token", str(folder), "--email", "ana@example.org").stdout.strip()
    revoked = curbside("token", str(folder), "--email", "ana@example.org", "--revoke-all")
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == "revoked 2 tokens"
    for old in (lines[0], second):
        assert http("GET", base + "/api/v1/me", token=old)[0] == 401

    # Graceful stop on SIGTERM, and the private key never appears in the logs.
    process.send_signal(signal.SIGTERM)
    _, logs = process.communicate(timeout=30)
    assert process.returncode == 0, logs
    assert "node stopping" in logs
    key_pem = (folder / "keys" / "node-ed25519.pem").read_text()
    key_body = "".join(key_pem.splitlines()[1:-1])
    assert key_body not in logs
    for line in logs.splitlines():
        json.loads(line)  # structured: every line is a JSON object


def test_key_and_folder_permissions(tmp_path: Path) -> None:
    folder = tmp_path / "n"
    assert (
        curbside("init", str(folder), "--domain", "node.example.org", "--country", "FR").returncode
        == 0
    )
    key = folder / "keys" / "node-ed25519.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "keys").stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "PRIVATE KEY" in key.read_text()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--domain", "https://x.org/", "--country", "US"], ["domain"]),
        (["--domain", "x.org", "--country", "XX"], ["country", "XX"]),
        (["--domain", "x.org", "--country", "US", "--locale", "tlh"], ["locale"]),
        (
            ["--domain", "x.org", "--country", "US", "--insecure-http"],
            ["insecure_http", "loopback"],
        ),
        (
            ["--domain", "x.org", "--country", "US", "--database-url", "oracle://db/x"],
            ["database_url"],
        ),
    ],
)
def test_init_bad_input(tmp_path: Path, args: list[str], needles: list[str]) -> None:
    result = curbside("init", str(tmp_path / "n"), *args)
    assert_one_line_error(result, *needles)
    assert not (tmp_path / "n").exists()
    assert no_leftovers(tmp_path) == []


def test_init_unreachable_database_leaves_nothing(tmp_path: Path) -> None:
    url = f"postgresql://curbside@127.0.0.1:{free_port()}/nowhere"
    result = curbside(
        "init", str(tmp_path / "n"), "--domain", "x.org", "--country", "US", "--database-url", url
    )
    assert_one_line_error(result, "cannot reach the database")
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_existing_folder(tmp_path: Path) -> None:
    folder = tmp_path / "n"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    result = curbside("init", str(folder), "--domain", "x.org", "--country", "US")
    assert_one_line_error(result, "already exists")
    assert (folder / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in folder.iterdir()) == ["precious.txt"]
    assert no_leftovers(tmp_path) == []


def test_init_into_empty_folder_and_missing_parent(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert (
        curbside("init", str(tmp_path / "empty"), "--domain", "x.org", "--country", "DK").returncode
        == 0
    )
    result = curbside("init", str(tmp_path / "no" / "such"), "--domain", "x.org", "--country", "DK")
    assert_one_line_error(result, "does not exist")


@pytest.mark.postgres_only  # a fresh SQLite file is always empty; this is about shared servers
def test_init_refuses_database_of_another_node(tmp_path: Path, database_url: str) -> None:
    first = curbside(
        "init",
        str(tmp_path / "a"),
        "--domain",
        "a.org",
        "--country",
        "US",
        "--database-url",
        database_url,
    )
    assert first.returncode == 0, first.stderr
    second = curbside(
        "init",
        str(tmp_path / "b"),
        "--domain",
        "b.org",
        "--country",
        "US",
        "--database-url",
        database_url,
    )
    assert_one_line_error(second, "already holds a Curbside node")
    assert not (tmp_path / "b").exists()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "n"
    assert curbside("init", str(folder), "--domain", "x.org", "--country", "SE").returncode == 0
    return folder


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--email", "not-an-email", "--name", "A", "--specialty", "pediatrics"], ["--email"]),
        (
            ["--email", "a@b.org", "--name", "A", "--specialty", "astrology"],
            ["--specialty", "astrology"],
        ),
        (["--email", "a@b.org", "--name", " ", "--specialty", "pediatrics"], ["--name"]),
        (
            [
                "--email",
                "a@b.org",
                "--name",
                "A",
                "--specialty",
                "pediatrics",
                "--password",
                "short",
            ],
            ["--password"],
        ),
        (
            ["--email", "a@b.org", "--name", "A", "--specialty", "pediatrics", "--licence", "x\ny"],
            ["--licence"],
        ),
    ],
)
def test_members_add_bad_input(folder: Path, args: list[str], needles: list[str]) -> None:
    assert_one_line_error(curbside("members", "add", str(folder), *args), *needles)


def test_members_add_duplicate_and_role(folder: Path) -> None:
    args = [
        "members",
        "add",
        str(folder),
        "--email",
        "a@b.org",
        "--name",
        "A",
        "--specialty",
        "surgery",
    ]
    assert curbside(*args, "--role", "moderator").returncode == 0
    assert_one_line_error(curbside(*args), "already exists")
    assert curbside(*args[:-2], "--specialty", "surgery", "--role", "king").returncode == 2


@pytest.mark.parametrize(
    "command", [["members", "list"], ["peers", "list"], ["token", "--email", "a@b.org"]]
)
def test_housekeeping_commands_do_not_load_the_application(
    folder: Path, command: list[str]
) -> None:
    """Only serve, demo and reveal need the case code and the de-identification
    patterns, whose import costs seconds of CPU on every run of an operator's script."""
    args = (
        [*command[:2], str(folder), *command[2:]]
        if command[0] != "token"
        else [
            "token",
            str(folder),
            *command[1:],
        ]
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "node", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "node.cli.common" in imported  # the command did run
    assert not {"node.deid", "node.cases.actions", "node.app"} & imported


def test_token_unknown_member(folder: Path) -> None:
    assert_one_line_error(curbside("token", str(folder), "--email", "ghost@b.org"), "no member")


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"], ["token", "--email", "a@b.org"]])
def test_commands_refuse_a_folder_that_is_not_a_node(tmp_path: Path, command: list[str]) -> None:
    args = (
        [command[0], *command[1:2], str(tmp_path), *command[2:]]
        if command[0] == "db"
        else [command[0], str(tmp_path), *command[1:]]
    )
    assert_one_line_error(curbside(*args), "not a Curbside data folder")


def test_serve_refuses_a_database_of_another_node(folder: Path) -> None:
    env = {**os.environ, "CURBSIDE_DOMAIN": "other.org"}
    result = curbside("serve", str(folder), "--port", str(free_port()), env=env)
    assert_one_line_error(result, "belongs to node x.org")


def test_serve_refuses_a_port_in_use(folder: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        result = curbside("serve", str(folder), "--port", str(sock.getsockname()[1]))
    assert_one_line_error(result, "cannot listen")


def test_db_upgrade_and_stale_schema(folder: Path) -> None:
    result = curbside("db", "upgrade", str(folder))
    assert result.returncode == 0
    assert result.stdout.startswith("database at revision ")
    # Simulate an older schema: the node must refuse to serve it and name the fix.
    with sqlite3.connect(folder / "curbside.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0000'")
    result = curbside("serve", str(folder), "--port", str(free_port()))
    assert_one_line_error(result, "db upgrade")


def test_serve_refuses_a_key_others_can_read(folder: Path) -> None:
    (folder / "keys" / "node-ed25519.pem").chmod(0o644)
    assert_one_line_error(curbside("serve", str(folder), "--port", str(free_port())), "chmod 600")
