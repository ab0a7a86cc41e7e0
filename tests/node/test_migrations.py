"""Schema: the migrations build exactly what the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from node.audit.service import record
from node.cases.view_counts import DIRTY_CASES, UNREPORTED_CASES
from node.db.engine import Database
from node.db.migrate import current_revision, downgrade, head_revision, upgrade
from node.db.schema import metadata
from node.search.tables import include_name


def _diff(connection: Connection) -> list[object]:
    # The full-text index tables exist only in migrations (raw SQL the models cannot
    # describe; see node/search/tables.py), so they are left out of the comparison.
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return list(compare_metadata(context, metadata()))


async def test_models_and_migrations_agree(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert await upgrade(db) == head_revision()
        async with db.write_connection() as connection:
            differences = await connection.run_sync(_diff)
        assert differences == []
    finally:
        await db.close()


async def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.write() as session:
            record(session, actor="test", action="kept")
        await upgrade(db)
        assert await current_revision(db) == head_revision()
        async with db.read() as session:
            assert await session.scalar(text("SELECT count(*) FROM audit_log")) == 1
    finally:
        await db.close()


async def test_downgrade_to_base_and_back(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        assert await downgrade(db, "base") == "base"
        assert await current_revision(db) is None
        await upgrade(db)
        assert await current_revision(db) == head_revision()
    finally:
        await db.close()


async def test_the_view_reporter_reads_its_partial_indexes(database_url: str) -> None:
    """Its two queries run every minute; a condition that does not repeat the index's
    word for word would quietly scan every case again."""
    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.write_connection() as connection:
            if db.is_sqlite:
                explain = "EXPLAIN QUERY PLAN "
            else:
                # An empty table is cheapest to scan; ask whether the index can serve.
                await connection.execute(text("SET LOCAL enable_seqscan = off"))
                explain = "EXPLAIN "
            for statement, index in (
                (DIRTY_CASES, "ix_cases_views_dirty"),
                (UNREPORTED_CASES, "ix_cases_views_unreported"),
            ):
                compiled = statement.compile(
                    dialect=connection.dialect, compile_kwargs={"literal_binds": True}
                )
                plan = (await connection.execute(text(explain + str(compiled)))).all()
                assert index in str(plan), plan
    finally:
        await db.close()
