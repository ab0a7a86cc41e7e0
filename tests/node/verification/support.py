"""Helpers shared by the verification tests: register files, imports, members, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from node.audit.models import AuditEntry
from node.members.models import Member, Role
from node.verification.importer import ImportOptions, ImportReport, Progress, import_register
from tests.rig import Account, TestNode
from tests.verification.factories import individual, npi, write_nppes

# Three physicians with valid NPIs; the names are how NPPES prints them.
ADA = npi(100000001)
BEN = npi(100000002)
CLEO = npi(100000003)

CSV_MAPPING = """
delimiter = ";"

[columns]
licence_id = "Number"
family_name = "Surname"
given_names = "Forenames"
specialty = "Specialty"

[active]
column = "Status"
values = ["active"]
"""


def nppes_file(
    path: Path, *people: tuple[str, str, str], deactivated: tuple[str, ...] = ()
) -> Path:
    rows = []
    for number, last, first in people:
        extra = {"NPI Deactivation Date": "01/15/2020"} if number in deactivated else {}
        rows.append(individual(number, last, first, **extra))
    return write_nppes(path, rows)


def standard_register(
    path: Path, *, deactivated: tuple[str, ...] = (), without: tuple[str, ...] = ()
) -> Path:
    people = [
        (ADA, "LOVELACE", "ADA"),
        (BEN, "MÜLLER", "BENEDIKT"),
        (CLEO, "DE LA CRUZ", "CLEOPATRA"),
    ]
    return nppes_file(path, *[p for p in people if p[0] not in without], deactivated=deactivated)


async def run_import(
    node: TestNode,
    path: Path,
    fmt: str = "nppes",
    *,
    progress: Progress | None = None,
    **options: Any,
) -> ImportReport:
    options.setdefault("register", fmt)
    return await import_register(
        node.state.db, ImportOptions(path=path, format=fmt, **options), progress=progress
    )


async def set_status(node: TestNode, public_id: str, status: str) -> None:
    async with node.state.db.write() as session:
        await session.execute(
            update(Member).where(Member.public_id == public_id).values(status=status)
        )


async def member_status(node: TestNode, public_id: str) -> str:
    async with node.state.db.read() as session:
        status = await session.scalar(select(Member.status).where(Member.public_id == public_id))
    assert status is not None
    return status


async def audit(node: TestNode, action: str) -> list[AuditEntry]:
    async with node.state.db.read() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return list(rows)


async def claimant(node: TestNode, **kwargs: Any) -> Account:
    """A member who has not been verified yet."""
    return await node.add_member(verified=False, **kwargs)


async def reviewer(node: TestNode, role: Role = Role.MODERATOR) -> Account:
    return await node.add_member(verified=True, role=role)


async def claim(
    node: TestNode, account: Account, licence: str, family: str, given: str
) -> tuple[int, Any]:
    return await node.request(
        "POST",
        "/api/v1/me/verification/claims",
        token=account.token,
        json={"licence": licence, "family_name": family, "given_names": given},
    )


async def member_id(node: TestNode, public_id: str) -> int:
    async with node.state.db.read() as session:
        found = await session.scalar(select(Member.id).where(Member.public_id == public_id))
    assert found is not None
    return found
