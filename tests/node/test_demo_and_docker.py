"""`curbside demo` brings up three nodes; the Docker files say what they promise."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from node.demo import stop_signals

ROOT = Path(__file__).resolve().parents[2]
CURBSIDE = str(Path(sys.executable).parent / "curbside")


def three_free_ports() -> int:
    for base in range(20100, 30000, 7):
        sockets = []
        try:
            for port in range(base, base + 3):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    pytest.fail("no three consecutive free ports")


def _as_a_background_job() -> None:
    """What a shell does to a job it starts with ``&`` (and how CI runners start
    commands): SIGINT is ignored, and the child inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_demo_runs_three_nodes_with_working_logins(tmp_path: Path) -> None:
    base = three_free_ports()
    # Started as a background job: Ctrl-C must still stop it. It did not when the demo
    # relied on asyncio.run's handler, which leaves an inherited "ignore" in place.
    process = subprocess.Popen(
        [CURBSIDE, "demo", "--base-port", str(base), "--data", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_a_background_job,
    )
    try:
        output = ""
        deadline = time.monotonic() + 120
        assert process.stdout is not None
        while "Data folders:" not in output:
            line = process.stdout.readline()
            if (not line and process.poll() is not None) or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"demo did not start: {output} {process.communicate()[1]}")
            output += line
        for offset, country in enumerate(["US", "DE", "FR"]):
            url = f"http://127.0.0.1:{base + offset}"
            assert url in output
            # Where a visitor who signs up finds the confirmation mail.
            outbox = tmp_path / country.lower() / "mail" / "outbox"
            assert f"Mail (sent nowhere, saved as .eml files): {outbox}\n" in output
            with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
                assert json.loads(response.read()) == {"status": "ok"}
            token = re.findall(rf"Bearer (cs_\S+)' {re.escape(url)}/", output)[0]
            request = urllib.request.Request(
                url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                me = json.loads(response.read())
            assert me["status"] == "verified"
            assert (tmp_path / country.lower() / "curbside.toml").exists()
            # Every node shows the seeded thread: resolved, three replies, one anonymous.
            request = urllib.request.Request(
                url + "/api/v1/cases", headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                [case] = json.loads(response.read())["items"]
            detail = urllib.request.Request(
                f"{url}/api/v1/cases/{case['local_id']}",
                headers={"Authorization": f"Bearer {token}"},
            )
            with urllib.request.urlopen(detail, timeout=10) as response:
                thread = json.loads(response.read())
            assert thread["status"] == "resolved"
            assert [reply["position"] for reply in thread["replies"]] == [1, 2, 3]
            assert sum(reply["author"]["anonymous"] for reply in thread["replies"]) == 1
            assert thread["poll"]["voters_count"] == 3
    finally:
        process.send_signal(signal.SIGINT)
        try:
            # Generous: on a loaded machine each node may take its workers' grace period.
            _, errors = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            # Fail with where it waits (faulthandler, see node/cli/main.py).
            process.send_signal(signal.SIGUSR1)
            time.sleep(2)
            process.kill()
            _, errors = process.communicate()
            pytest.fail(f"the demo did not stop within 60 s of Ctrl-C:\n{errors[-6000:]}")
    assert process.returncode == 0, errors[-4000:]


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
async def test_demo_stop_signals_set_the_stop_event_once(number: signal.Signals) -> None:
    before = signal.getsignal(number)
    with stop_signals() as stop:
        os.kill(os.getpid(), number)
        await asyncio.wait_for(stop.wait(), timeout=10)
        # The handler went with the first signal: a second Ctrl-C is not swallowed.
        assert signal.getsignal(number) in (signal.default_int_handler, signal.SIG_DFL)
    signal.signal(number, before)


def test_dockerfile_runs_as_non_root_and_serves() -> None:
    text = (ROOT / "docker" / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert '"curbside", "serve"' in text


def test_compose_file_has_node_with_postgres() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"curbside", "postgres"}
    assert services["curbside"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "postgresql://" in services["curbside"]["environment"]["CURBSIDE_DATABASE_URL"]
    assert services["postgres"]["healthcheck"]["test"]
    build = services["curbside"]["build"]
    assert (ROOT / "docker" / Path(build["context"]) / build["dockerfile"]).resolve().exists()
