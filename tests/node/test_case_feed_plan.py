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
from sqlalchemy import Engine, Select, event, select, text, update
from sqlalchemy.dialects import sqlite
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
    ("open_first", "filters", "index"),
    [
        (False, {}, "ix_cases_newest"),
        (True, {}, "ix_cases_feed"),
        # A filter on the case's own columns reads that filter's index in the same
        # order: a country with few cases no longer walks the whole table.
        (False, {"country": "HU"}, "ix_cases_author_country_newest"),
        (True, {"country": "HU"}, "ix_cases_author_country_feed"),
        (False, {"country": "HU", "status": "open"}, "ix_cases_author_country_feed"),
        (False, {"language": "fi"}, "ix_cases_language_newest"),
        (True, {"language": "fi"}, "ix_cases_language_feed"),
    ],
)
async def test_the_feed_reads_its_order_from_an_index(
    database_url: str,
    feed_statements: list[Select[tuple[Case]]],
    open_first: bool,
    filters: dict[str, str],
    index: str,
) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.read() as session:
            query = CaseQuery.model_validate({"open_first": open_first, **filters})
            page = await list_cases(session, query)
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


@pytest.mark.parametrize("open_first", [False, True])
async def test_paging_the_feed_shows_every_case_once_in_order(
    network: NodeNetwork, open_first: bool
) -> None:
    """Pages follow ``next`` (the last case's id) and start right after it, also
    among cases posted in the same instant (the id breaks the tie)."""
    node = await network.spawn("US")
    author = await node.add_member()
    titles = [f"case {n}" for n in range(7)]
    for title in titles:
        await post_case(node, author, title=title)
    async with node.state.db.write() as session:
        same_instant = await session.scalar(select(Case.created_at).where(Case.title == "case 3"))
        await session.execute(
            update(Case)
            .where(Case.title.in_(["case 2", "case 3", "case 4"]))
            .values(created_at=same_instant)
        )
        await session.execute(
            update(Case).where(Case.title.in_(["case 1", "case 5"])).values(status="resolved")
        )
    newest_first = list(reversed(titles))  # ids grow with the titles' numbers
    expected = (
        [t for t in newest_first if t not in ("case 1", "case 5")] + ["case 5", "case 1"]
        if open_first
        else newest_first
    )

    seen: list[str] = []
    params = {"limit": "2", "open_first": str(open_first).lower()}
    while True:
        status, body = await node.request("GET", "/api/v1/cases", token=author.token, params=params)
        assert status == 200, body
        seen += [item["title"] for item in body["items"]]
        if body["next"] is None:
            break
        params["before"] = body["next"]
    assert seen == expected


async def test_a_page_after_a_case_starts_the_index_walk_at_that_case(
    network: NodeNetwork, feed_statements: list[Select[tuple[Case]]]
) -> None:
    """``before`` is a range condition on the feed's index, not a filter on every
    newer case (which made a page deep in 100,000 cases take 0.2 s on PostgreSQL)."""
    node = await network.spawn("US")
    author = await node.add_member()
    cases = [await post_case(node, author, title=f"case {n}") for n in range(3)]
    feed_statements.clear()
    _, body = await node.request(
        "GET", "/api/v1/cases", token=author.token, params={"before": cases[1]["local_id"]}
    )
    assert [item["title"] for item in body["items"]] == ["case 0"]
    statement = feed_statements[-1]
    if node.state.db.is_sqlite:
        # Asked with the values written in, SQLite derives "created_at <= x" from the
        # old OR form too; with bound parameters, as the node runs it, it read every
        # newer case. A row comparison is a range on the index either way.
        sql = str(statement.compile(dialect=sqlite.dialect()))
        assert "(cases.created_at, cases.id) < (" in sql, sql
        plan = await _plan(node.state.db, statement)
        assert "SEARCH cases USING INDEX ix_cases_newest (created_at<?)" in plan, plan
    else:
        plan = await _plan(node.state.db, statement)
        assert "Index Cond: (ROW(created_at, id) < ROW(" in plan, plan


@pytest.fixture
def executed_sql() -> Iterator[list[str]]:
    """The SQL text of every statement any engine sends meanwhile (the node's
    background jobs' too: assertions look for forms only a case read sends)."""
    sent: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", capture)


def _loads(table: str, sql: str) -> bool:
    """Whether ``sql`` loads the rows of ``table`` that belong to some cases."""
    return (
        f"JOIN {table} " in sql
        or f"WHERE {table}.case_id IN" in sql
        or (f"WHERE {table}.case_id = " in sql)
    )


async def test_case_lists_do_not_read_images(network: NodeNetwork, executed_sql: list[str]) -> None:
    """A feed or search page shows summaries, which have no images: loading each
    page's attachments was a query per request for nothing."""
    node = await network.spawn("US")
    author = await node.add_member()
    for n in range(3):
        await post_case(node, author, title=f"Periodic fever case {n}")
    status, first = await node.request(
        "GET", "/api/v1/cases", token=author.token, params={"limit": "2"}
    )
    assert status == 200 and first["next"] is not None
    pages = [
        ("/api/v1/cases", {"limit": "2", "before": first["next"]}),
        ("/api/v1/cases", {"q": "fever"}),
        ("/api/v1/search", {"q": "fever"}),
    ]
    for path, params in pages:
        executed_sql.clear()
        status, body = await node.request("GET", path, token=author.token, params=params)
        assert status == 200 and body["items"], body
        assert [sql for sql in executed_sql if "FROM cases" in sql], "nothing captured"
        assert not [sql for sql in executed_sql if _loads("attachments", sql)], path
    # The case itself still shows its images (an empty list here), read with it.
    executed_sql.clear()
    status, case = await node.request(
        "GET", f"/api/v1/cases/{first['items'][0]['local_id']}", token=author.token
    )
    assert status == 200 and case["images"] == []
    assert [sql for sql in executed_sql if _loads("attachments", sql)]


async def test_a_case_is_read_with_its_specialties_in_one_statement(
    network: NodeNetwork, executed_sql: list[str]
) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    case = await post_case(node, author, specialties=["pediatrics", "rheumatology"])
    executed_sql.clear()
    status, body = await node.request(
        "GET", f"/api/v1/cases/{case['local_id']}", token=author.token
    )
    assert status == 200 and body["specialties"] == ["pediatrics", "rheumatology"]
    assert body["images"] == []
    joined = [sql for sql in executed_sql if "FROM cases LEFT OUTER JOIN case_specialties" in sql]
    assert len(joined) == 1, executed_sql
    # Not read again on their own, as the mapping's default (selectin) would; the
    # images are (a case may have ten: joined, its text would come back per pair).
    assert not [sql for sql in executed_sql if "WHERE case_specialties.case_id IN" in sql]
    assert [sql for sql in executed_sql if _loads("attachments", sql)]
