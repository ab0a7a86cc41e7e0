"""Schema: the migrations build exactly what the models describe, on both databases."""

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Executable, select, text
from sqlalchemy.engine import Connection

from node.audit.service import record
from node.cases.media import DUE_FOR_FETCH
from node.cases.models import Case, Reply
from node.cases.view_counts import DIRTY_CASES, UNREPORTED_CASES
from node.db.engine import Database
from node.db.migrate import current_revision, downgrade, head_revision, upgrade
from node.db.schema import metadata
from node.inbox.worker import DUE
from node.members.actor import ANNOUNCED_STATUSES
from node.members.attestation import ANNOUNCEMENTS_DUE
from node.members.models import ANNOUNCEMENT_DUE
from node.outbox.worker import _next_for, claimable
from node.peers.models import Peer
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


def _background_queries() -> list[tuple[str, Executable, str]]:
    """What background jobs and peers ask every few seconds, and the index that must
    answer it (migrations 0017, 0018)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    peer = Peer(origin="https://de.example")
    return [
        # In id order from the index: a batch stops after 50, however long the backlog.
        ("inbox batch", DUE.params(now=now), "ix_inbox_pending"),
        ("views to announce", DIRTY_CASES, "ix_cases_views_dirty"),
        ("views to report", UNREPORTED_CASES, "ix_cases_views_dirty"),
        ("next for a peer", _next_for(peer, 7), "ix_outbox_recipient_seq"),
        ("peers to deliver to", claimable(now, [1], 5), "ix_outbox_recipient_seq"),
        ("images to fetch", DUE_FOR_FETCH.params(now=now), "ix_attachments_to_fetch"),
        ("statuses to announce", ANNOUNCEMENTS_DUE, "ix_members_announcement_due"),
        (
            "replies by author",
            select(Reply.case_id).where(Reply.author_iri == "https://de.example/p/x"),
            "ix_replies_author_iri",
        ),
        (
            "cases by author",
            select(Case.id).where(Case.author_iri == "https://de.example/p/x"),
            "ix_cases_author_iri",
        ),
    ]


async def test_background_queries_read_their_indexes(database_url: str) -> None:
    """They run every few seconds; a condition that does not repeat a partial index's
    word for word, or a dropped index, would quietly scan a whole table again."""
    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.write_connection() as connection:
            if db.is_sqlite:
                explain = "EXPLAIN QUERY PLAN "
            else:
                # Empty tables are cheapest to scan; ask whether the index can serve.
                await connection.execute(text("SET LOCAL enable_seqscan = off"))
                explain = "EXPLAIN "
            for what, statement, index in _background_queries():
                if what == "peers to deliver to" and not db.is_sqlite:
                    # PostgreSQL turns the EXISTS into a semi-join whose shape depends
                    # on the tables' statistics, which empty tables do not have.
                    continue
                compiled = statement.compile(
                    dialect=connection.dialect, compile_kwargs={"literal_binds": True}
                )
                plan = (await connection.execute(text(explain + str(compiled)))).all()
                assert index in str(plan), (what, plan)
                assert "TEMP B-TREE" not in str(plan), (what, plan)  # SQLite sorting
    finally:
        await db.close()


def test_the_announcement_index_names_the_announced_statuses() -> None:
    """The index's condition spells the statuses out (SQLite needs a literal); it must
    name exactly the ones peers may learn, or members would be announced or not."""
    condition = str(ANNOUNCEMENT_DUE.compile(compile_kwargs={"literal_binds": True}))
    named = condition.split("status IN (", 1)[1].split(")", 1)[0]
    assert {part.strip(" '") for part in named.split(",")} == ANNOUNCED_STATUSES
