"""The case feed reads its order from an index instead of sorting every live case.

At 100,000 cases the unfiltered ``GET /api/v1/cases`` took about 1 s because the
database sorted the whole table for each page. The query planners are asked here,
with the very statement ``list_cases`` runs, whether they still need a sort: on
SQLite a temp B-tree, on PostgreSQL a Sort node. PostgreSQL prefers a sort on a tiny
table, so sorting is priced out (``enable_sort = off``): it then still sorts only if
no index can give the order, which is what this test is about.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Select, event, select, text
from sqlalchemy.orm import ORMExecuteState, Session

from node.cases import service
from node.cases.models import Case
from node.cases.schemas import CaseQuery
from node.cases.service import list_cases
from node.db.engine import Database
from node.db.migrate import upgrade
from tests.node.search.support import post_case
from tests.rig import NodeNetwork, TestNode


@pytest.fixture
def feed_statements() -> Iterator[list[Select[tuple[Case]]]]:
    """The SELECTs on ``cases`` with an ORDER BY that sessions run meanwhile."""
    seen: list[Select[tuple[Case]]] = []

    def capture(state: ORMExecuteState) -> None:
        statement = state.statement
        if (
            isinstance(statement, Select)
            and statement.get_final_froms() == [Case.__table__]
            and statement._order_by_clauses  # no public accessor for the ORDER BY
        ):
            seen.append(statement)

    event.listen(Session, "do_orm_execute", capture)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", capture)


async def _plan(db: Database, statement: Select[tuple[Case]]) -> str:
    async with db.read() as session:
        connection = await session.connection()
        sql = str(
            statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        )
        if db.is_sqlite:
            rows = await session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
            return "\n".join(str(row[-1]) for row in rows)
        await session.execute(text("SET LOCAL enable_sort = off"))
        await session.execute(text("SET LOCAL enable_incremental_sort = off"))
        rows = await session.execute(text(f"EXPLAIN {sql}"))
        return "\n".join(str(row[0]) for row in rows)


@pytest.mark.parametrize(
    ("open_first", "index"), [(False, "ix_cases_newest"), (True, "ix_cases_feed")]
)
async def test_the_feed_reads_its_order_from_an_index(
    database_url: str,
    feed_statements: list[Select[tuple[Case]]],
    open_first: bool,
    index: str,
) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.read() as session:
            page = await list_cases(session, CaseQuery(open_first=open_first))
        assert page.items == []
        assert len(feed_statements) == 1
        plan = await _plan(db, feed_statements[0])
        assert index in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        assert "Sort" not in plan, plan
    finally:
        await db.close()


@pytest.mark.sqlite_only
async def test_a_specialty_feed_walks_the_index_for_a_common_specialty(
    network: NodeNetwork,
    feed_statements: list[Select[tuple[Case]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite: "common" here means at least half the cases, so that four cases show
    both forms of the condition (see service._of_specialty)."""
    monkeypatch.setattr(service, "COMMON_SPECIALTY_SHARE", 0.5)
    node = await network.spawn("US")
    author = await node.add_member()
    for title, specialty in [
        ("heart one", "cardiology"),
        ("tumour", "oncology"),
        ("heart two", "cardiology"),
        ("heart three", "cardiology"),
    ]:
        await post_case(node, author, title=title, specialties=[specialty])

    async def feed(specialty: str, **extra: str) -> list[str]:
        feed_statements.clear()
        _, body = await node.request(
            "GET", "/api/v1/cases", token=author.token, params={"specialty": specialty, **extra}
        )
        return [item["title"] for item in body["items"]]

    assert await feed("cardiology") == ["heart three", "heart two", "heart one"]
    common_plan = await _plan(node.state.db, feed_statements[-1])
    assert "ix_cases_newest" in common_plan and "TEMP B-TREE" not in common_plan, common_plan
    assert await feed("cardiology", limit="1", before=await _local_id(node, "heart two")) == [
        "heart one"
    ]
    assert await feed("oncology") == ["tumour"]
    rare_plan = await _plan(node.state.db, feed_statements[-1])
    assert "LIST SUBQUERY" in rare_plan, rare_plan
    assert await feed("neurology") == []


async def _local_id(node: TestNode, title: str) -> str:
    async with node.state.db.read() as session:
        return str(await session.scalar(select(Case.local_id).where(Case.title == title)))
