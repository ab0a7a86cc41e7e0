"""Developer tool: write a new migration from the difference between models and schema.

    python -m node.db.revision "add cases"

It migrates a throwaway SQLite database to head, lets alembic autogenerate the next
revision against it and names it with the next sequence number. Always read and edit
the result (PostgreSQL-specific bits, data migrations) before committing it; never
edit a revision that has been released.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from node.db.engine import Database
from node.db.migrate import alembic_config, upgrade


def _next_rev_id() -> str:
    script = ScriptDirectory.from_config(alembic_config())
    numbers = [int(rev.revision) for rev in script.walk_revisions() if rev.revision.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def _autogenerate(connection: Connection, message: str) -> None:
    command.revision(
        alembic_config(connection), message=message, autogenerate=True, rev_id=_next_rev_id()
    )


async def _main(message: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'scratch.db'}")
        try:
            await upgrade(db)
            async with db.write_connection() as connection:
                await connection.run_sync(_autogenerate, message)
        finally:
            await db.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m node.db.revision MESSAGE")
    asyncio.run(_main(sys.argv[1]))
