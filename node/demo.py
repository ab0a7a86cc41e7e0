"""The demo network: US, DE and FR nodes on loopback, seeded with demo physicians.

Everything runs in one process on the embedded SQLite default. Data goes to a
temporary folder unless ``--data`` names one to keep (an existing demo folder is
reused as it is, so a second run continues where the first stopped).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from node.config import load_config
from node.demo_thread import peer_all, seed_thread
from node.lifecycle import initialise_node
from node.mail.sender import outbox_folder
from node.members.models import Role
from node.members.service import NewMember, add_member, find_member_by_email, issue_token
from node.runner import RunningNode, start_node

DEMO_PASSWORD = "curbside-demo"  # noqa: S105 -- printed for demo logins on purpose


@dataclass(frozen=True)
class DemoMember:
    email: str
    name: str
    specialty: str
    role: Role = Role.MEMBER


@dataclass(frozen=True)
class DemoCountry:
    country: str
    name: str
    locale: str
    members: tuple[DemoMember, ...]


DEMO_COUNTRIES = (
    DemoCountry(
        "US",
        "Curbside United States",
        "en",
        (
            DemoMember("alice.carter@us.demo.test", "Alice Carter", "pediatrics"),
            DemoMember("ben.okafor@us.demo.test", "Ben Okafor", "gastroenterology"),
            DemoMember("admin@us.demo.test", "US Node Admin", "general-practice", Role.ADMIN),
        ),
    ),
    DemoCountry(
        "DE",
        "Curbside Deutschland",
        "de",
        (
            DemoMember("jonas.weber@de.demo.test", "Jonas Weber", "general-practice"),
            DemoMember("lena.schmidt@de.demo.test", "Lena Schmidt", "nephrology"),
            DemoMember("admin@de.demo.test", "DE Node Admin", "general-practice", Role.ADMIN),
        ),
    ),
    DemoCountry(
        "FR",
        "Curbside France",
        "fr",
        (
            DemoMember("camille.dubois@fr.demo.test", "Camille Dubois", "pediatrics"),
            DemoMember("hugo.martin@fr.demo.test", "Hugo Martin", "infectious-diseases"),
            DemoMember("admin@fr.demo.test", "FR Node Admin", "general-practice", Role.ADMIN),
        ),
    ),
)


async def _prepare(folder: Path, spec: DemoCountry, port: int) -> RunningNode:
    if not (folder / "curbside.toml").exists():
        await initialise_node(
            folder,
            {
                "domain": f"127.0.0.1:{port}",
                "country": spec.country,
                "name": spec.name,
                "locale": spec.locale,
                "insecure_http": True,
                "listen_port": port,
            },
        )
    return await start_node(load_config(folder))


async def _seed_members(node: RunningNode, spec: DemoCountry) -> list[tuple[DemoMember, str]]:
    logins = []
    async with node.state.db.write() as session:
        for person in spec.members:
            member = await find_member_by_email(session, person.email)
            if member is None:
                new = NewMember(
                    email=person.email,
                    name=person.name,
                    specialty=person.specialty,
                    password=DEMO_PASSWORD,
                    verified=True,
                    role=person.role,
                )
                member = await add_member(session, new, actor="demo")
            token = await issue_token(session, member, label="demo", actor="demo")
            logins.append((person, token))
    return logins


@contextlib.asynccontextmanager
async def demo_network(base_port: int, data: Path) -> AsyncIterator[list[RunningNode]]:
    nodes: list[RunningNode] = []
    try:
        for offset, spec in enumerate(DEMO_COUNTRIES):
            folder = data / spec.country.lower()
            nodes.append(await _prepare(folder, spec, base_port + offset))
        yield nodes
    finally:
        # Together: each node may give its workers STOP_SECONDS to finish, and Ctrl-C
        # should not wait for three of those in a row.
        outcomes = await asyncio.gather(*(node.stop() for node in nodes), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome


@contextlib.contextmanager
def stop_signals() -> Iterator[asyncio.Event]:
    """An event set by the first SIGINT (Ctrl-C) or SIGTERM while the block runs.

    Handled here, not left to ``asyncio.run``: a process started as a background job
    of a script (``make demo &``, a CI runner) inherits SIGINT *ignored*, and
    ``asyncio.run`` then leaves Ctrl-C ignored, so the demo never stopped. ``serve``
    gets the same from aiohttp's ``run_app``. SIGTERM (``kill``, ``docker stop``) now
    stops the nodes and removes the temporary data too. Installed before the nodes
    start, so a signal sent as soon as the demo says it is ready is not lost; removed
    once a signal came, so a second Ctrl-C interrupts a stop that takes too long.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)

    def on_signal() -> None:
        stop.set()
        for number in signals:
            loop.remove_signal_handler(number)

    for number in signals:
        loop.add_signal_handler(number, on_signal)
    try:
        yield stop
    finally:
        for number in signals:
            loop.remove_signal_handler(number)


async def run_demo(*, base_port: int = 8101, data: Path | None = None) -> None:
    with contextlib.ExitStack() as stack:
        stop = stack.enter_context(stop_signals())
        if data is None:
            data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="curbside-demo-")))
        data.mkdir(parents=True, exist_ok=True)
        async with demo_network(base_port, data) as nodes:
            logins = [
                await _seed_members(node, spec)
                for node, spec in zip(nodes, DEMO_COUNTRIES, strict=True)
            ]
            await peer_all(nodes)
            await seed_thread(
                nodes, {spec.country: [m.email for m in spec.members] for spec in DEMO_COUNTRIES}
            )
            print("Curbside demo network: peered, with a demo case thread. Ctrl-C stops it.\n")
            for node, spec, node_logins in zip(nodes, DEMO_COUNTRIES, logins, strict=True):
                print(f"{spec.name}: {node.base_url}")
                # Sign-up works in the demo too; its confirmation link is in this folder.
                outbox = outbox_folder(node.config)
                if outbox is not None:
                    print(f"  Mail (sent nowhere, saved as .eml files): {outbox}")
                for person, token in node_logins:
                    note = (
                        " - sets up two-factor sign-in on first login"
                        if person.role is Role.ADMIN
                        else ""
                    )
                    print(f"  {person.name} ({person.specialty}, {person.role.value}){note}")
                    print(f"    login {person.email} / {DEMO_PASSWORD}")
                    auth = f"Authorization: Bearer {token}"
                    print(f"    API   curl -H '{auth}' {node.base_url}/api/v1/me")
                print()
            print(f"Data folders: {data}", flush=True)
            await stop.wait()
