"""The stored register: batch upserts during an import, counts and clean-up after it.

Bulk work goes through SQLAlchemy Core on a raw connection (``Database.write_connection``):
thousands of rows per statement and per transaction, no ORM objects.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, and_, case, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import Insert

from node.verification.models import LicenceHold, RegisterRecord
from verification.matching import normalise_licence_id
from verification.registers.base import RegisterEntry

ENTRIES = cast(Table, RegisterRecord.__table__)
LICENCE_MAX = 64
NAME_MAX = 200
LABEL_MAX = 100


class RowRefused(ValueError):
    """An entry the reader accepted but the database cannot hold as it is."""


def clean_name(text: str) -> str:
    """NFC with single spaces: lossless for matching, one spelling per name in storage."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def _label(text: str | None) -> str | None:
    return text[:LABEL_MAX] if text else None


def entry_row(register: str, import_id: int, entry: RegisterEntry) -> dict[str, Any]:
    """The column values for one entry, or RowRefused saying what is wrong with it."""
    licence_id = normalise_licence_id(entry.licence_id)
    if not licence_id or len(licence_id) > LICENCE_MAX:
        raise RowRefused(f"licence id must be 1 to {LICENCE_MAX} characters")
    family, given = clean_name(entry.family_name), clean_name(entry.given_names)
    if len(family) > NAME_MAX or len(given) > NAME_MAX:
        raise RowRefused(f"licence {licence_id}: a name is longer than {NAME_MAX} characters")
    return {
        "register": register,
        "licence_id": licence_id,
        "family_name": family,
        "given_names": given,
        "specialty": _label(entry.specialty),
        "credential": _label(entry.credential),
        "active": entry.active,
        "first_seen_import_id": import_id,
        "changed_import_id": import_id,
        "last_seen_import_id": import_id,
    }


def upsert_statement(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT (licence_id, register) DO UPDATE, for both databases.

    A row without names (NPPES blanks everything but the number and dates of a
    deactivated NPI) only changes ``active``: the names stay, so a reviewer still
    sees whose licence it was. ``changed_import_id`` moves only when something
    really changed, which is what makes "re-import the same file" report nothing.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ENTRIES)
    new = statement.excluded
    old = ENTRIES.c
    has_names = or_(new.family_name != "", new.given_names != "")
    changed = or_(
        old.active != new.active,
        and_(
            has_names,
            or_(
                old.family_name != new.family_name,
                old.given_names != new.given_names,
                old.specialty.is_distinct_from(new.specialty),
                old.credential.is_distinct_from(new.credential),
            ),
        ),
    )

    def unless_nameless(column: str) -> Any:
        return case((has_names, new[column]), else_=old[column])

    return statement.on_conflict_do_update(
        index_elements=[old.licence_id, old.register],
        set_={
            "family_name": unless_nameless("family_name"),
            "given_names": unless_nameless("given_names"),
            "specialty": unless_nameless("specialty"),
            "credential": unless_nameless("credential"),
            "active": new.active,
            "changed_import_id": case(
                (changed, new.last_seen_import_id), else_=old.changed_import_id
            ),
            "last_seen_import_id": new.last_seen_import_id,
        },
    )


async def upsert_rows(
    connection: AsyncConnection, statement: Insert, rows: Sequence[dict[str, Any]]
) -> None:
    if rows:
        await connection.execute(statement, list(rows))


async def register_counts(
    connection: AsyncConnection | AsyncSession, register: str, import_id: int
) -> dict[str, int]:
    """What this import changed in the stored register (before gone rows are deleted)."""
    of_register = ENTRIES.c.register == register
    seen = ENTRIES.c.last_seen_import_id == import_id
    row = (
        await connection.execute(
            select(
                func.count().filter(seen),
                func.count().filter(and_(seen, ENTRIES.c.active)),
                func.count().filter(ENTRIES.c.first_seen_import_id == import_id),
                func.count().filter(
                    and_(
                        ENTRIES.c.changed_import_id == import_id,
                        ENTRIES.c.first_seen_import_id != import_id,
                    )
                ),
                func.count().filter(~seen),
            ).where(of_register)
        )
    ).one()
    listed, active, new, changed, gone = (int(value) for value in row)
    return {
        "listed": listed,
        "active": active,
        "inactive": listed - active,
        "new": new,
        "changed": changed,
        "gone": gone,
    }


async def delete_gone(session: AsyncSession, register: str, import_id: int) -> None:
    """Drop entries the completed import did not list: they are no longer licensed."""
    await session.execute(
        delete(ENTRIES).where(
            ENTRIES.c.register == register, ENTRIES.c.last_seen_import_id != import_id
        )
    )


async def held_licences(
    session: AsyncSession, register: str, import_id: int
) -> list[tuple[str, bool]]:
    """(licence id, active) of the entries this import listed that members hold.

    Only held licences can change a member's status, so the re-import comparison
    needs these few rows, not the whole register.
    """
    rows = await session.execute(
        select(ENTRIES.c.licence_id, ENTRIES.c.active)
        .join(LicenceHold, LicenceHold.licence_id == ENTRIES.c.licence_id)
        .where(
            ENTRIES.c.register == register,
            LicenceHold.register == register,
            ENTRIES.c.last_seen_import_id == import_id,
        )
    )
    return [(licence_id, bool(active)) for licence_id, active in rows]


async def entries_for(session: AsyncSession, licence_id: str) -> list[tuple[str, RegisterEntry]]:
    """(register, entry) for a normalised licence number, in every register."""
    rows = await session.execute(
        select(RegisterRecord)
        .where(RegisterRecord.licence_id == licence_id)
        .order_by(RegisterRecord.register)
    )
    return [
        (
            record.register,
            RegisterEntry(
                record.licence_id,
                record.family_name,
                record.given_names,
                record.specialty,
                record.credential,
                record.active,
                0,
            ),
        )
        for record in rows.scalars()
    ]


async def register_of(session: AsyncSession, licence_id: str) -> str | None:
    """The register listing this number (the first by name when several do)."""
    return await session.scalar(
        select(RegisterRecord.register)
        .where(RegisterRecord.licence_id == licence_id)
        .order_by(RegisterRecord.register)
        .limit(1)
    )
