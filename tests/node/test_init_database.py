"""``curbside init`` on a database that is not empty: what it completes, what it refuses.

Migrating and recording the node are two transactions, so an init that stops in
between leaves the schema without a node; running init again must finish the job
rather than refuse the database it made itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text

from node.db.engine import Database
from node.db.migrate import current_revision, head_revision, upgrade
from node.identity.models import NodeRecord
from node.lifecycle import SetupError, initialise_node
from node.peers.models import Peer


async def _nodes_and_revision(url: str) -> tuple[list[str], str | None]:
    db = Database(url, pool_size=1)
    try:
        async with db.read() as session:
            domains = list(await session.scalars(select(NodeRecord.domain)))
        return domains, await current_revision(db)
    finally:
        await db.close()


async def _prepare(url: str, revision: str) -> None:
    db = Database(url, pool_size=1)
    try:
        await upgrade(db, revision)
    finally:
        await db.close()


def _values(url: str, domain: str) -> dict[str, object]:
    return {"domain": domain, "country": "CA", "database_url": url}


@pytest.mark.parametrize("prepared_to", ["0010", "head"])
async def test_init_completes_a_schema_that_has_no_node_yet(
    tmp_path: Path, database_url: str, prepared_to: str
) -> None:
    await _prepare(database_url, prepared_to)

    config = await initialise_node(tmp_path / "n", _values(database_url, "ca.example"))

    assert config.domain == "ca.example"
    assert (tmp_path / "n" / "curbside.toml").exists()
    assert await _nodes_and_revision(database_url) == (["ca.example"], head_revision())


async def test_a_completed_database_is_then_refused_and_kept(
    tmp_path: Path, make_migrated_database_url: Callable[[], str]
) -> None:
    url = make_migrated_database_url()
    await initialise_node(tmp_path / "a", _values(url, "a.example"))

    with pytest.raises(SetupError, match="already holds a Curbside node"):
        await initialise_node(tmp_path / "b", _values(url, "b.example"))

    assert not (tmp_path / "b").exists()
    assert await _nodes_and_revision(url) == (["a.example"], head_revision())


async def test_another_applications_alembic_schema_is_refused_untouched(
    tmp_path: Path, database_url: str
) -> None:
    db = Database(database_url, pool_size=1)
    try:
        async with db.write() as session:
            await session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
            await session.execute(text("INSERT INTO alembic_version VALUES ('3f2a9c1b7d00')"))
            await session.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
            await session.execute(text("INSERT INTO invoices VALUES (1)"))
    finally:
        await db.close()

    with pytest.raises(SetupError, match=r"alembic revision '3f2a9c1b7d00' this version of"):
        await initialise_node(tmp_path / "n", _values(database_url, "ca.example"))

    assert not (tmp_path / "n").exists()
    db = Database(database_url, pool_size=1)
    try:
        assert await current_revision(db) == "3f2a9c1b7d00"
        async with db.read() as session:
            assert await session.scalar(text("SELECT count(*) FROM invoices")) == 1
    finally:
        await db.close()


async def test_a_schema_with_a_nodes_data_but_no_node_record_is_refused(
    tmp_path: Path, make_migrated_database_url: Callable[[], str]
) -> None:
    """A node whose record was deleted by hand, or a partial restore: a new init must
    not adopt its members under another domain."""
    url = make_migrated_database_url()
    await initialise_node(tmp_path / "a", _values(url, "a.example"))
    db = Database(url, pool_size=1)
    try:
        async with db.write() as session:
            session.add(
                Peer(
                    origin="https://p.example",
                    actor_id="https://p.example/actor",
                    inbox_url="https://p.example/inbox",
                    name="P",
                    key_id="https://p.example/actor#main-key",
                    public_key_multibase="z6Mk",
                    fingerprint="SHA256:x",
                )
            )
            await session.execute(text("DELETE FROM node"))
    finally:
        await db.close()

    with pytest.raises(SetupError, match=r"a Curbside node's data \(peers\) but no node record"):
        await initialise_node(tmp_path / "b", _values(url, "b.example"))
    assert await _nodes_and_revision(url) == ([], head_revision())


async def test_tables_without_our_schema_are_refused(tmp_path: Path, database_url: str) -> None:
    db = Database(database_url, pool_size=1)
    try:
        async with db.write() as session:
            await session.execute(text("CREATE TABLE node (id INTEGER PRIMARY KEY)"))
    finally:
        await db.close()

    with pytest.raises(SetupError, match="holds tables this version of Curbside does not know"):
        await initialise_node(tmp_path / "n", _values(database_url, "ca.example"))
    assert not (tmp_path / "n").exists()
