"""Shared fixtures: databases (SQLite and a real PostgreSQL) and the multi-node rig.

Tests that take the ``database_url`` fixture run twice, once per database. With
``CI=true`` a PostgreSQL that cannot be started fails those tests; elsewhere it skips
them with the reason, so a laptop without PostgreSQL can still run the rest.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.postgres import PostgresCluster, PostgresUnavailable, migrate_in_a_thread
from tests.scheduling import slowest_first, worker_count

pytest_plugins = ["tests.rig"]

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster | str]:
    """The session's cluster, or the reason it could not start."""
    try:
        cluster = PostgresCluster.start()
    except PostgresUnavailable as error:
        yield str(error)
        return
    try:
        yield cluster
    finally:
        cluster.stop()


def require_postgres(cluster: PostgresCluster | str) -> PostgresCluster:
    if isinstance(cluster, PostgresCluster):
        return cluster
    if IN_CI:
        pytest.fail(f"PostgreSQL is required in CI but could not be started: {cluster}")
    pytest.skip(f"PostgreSQL unavailable: {cluster}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_database_url(
    db_kind: str, postgres_cluster: PostgresCluster | str, tmp_path: Path
) -> Iterator[object]:
    """A factory of fresh, empty databases of the parametrised kind."""
    counter = iter(range(1_000_000))

    def make() -> str:
        if db_kind == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / f'db-{next(counter)}.sqlite'}"
        return require_postgres(postgres_cluster).create_database()

    yield make


@pytest.fixture(scope="session")
def sqlite_schema_template(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[], Path]]:
    """The path of a SQLite database migrated to head, made once per test process."""
    made: list[Path] = []

    def template() -> Path:
        if not made:
            path = tmp_path_factory.mktemp("schema") / "template.sqlite"
            migrate_in_a_thread(f"sqlite+aiosqlite:///{path}")
            made.append(path)
        return made[0]

    yield template


@pytest.fixture
def make_migrated_database_url(
    db_kind: str,
    postgres_cluster: PostgresCluster | str,
    sqlite_schema_template: Callable[[], Path],
    tmp_path: Path,
) -> Iterator[Callable[[], str]]:
    """A factory of fresh databases with the schema at head and no node in them yet.

    For nodes in tests that are about something else than creating a schema: a copy
    of a database that alembic migrated once per test process takes a few
    milliseconds, where running every migration again takes about a second.
    ``curbside init`` fills such a database as it would an empty one (lifecycle.py);
    init and the migrations themselves are tested on empty databases.
    """
    counter = iter(range(1_000_000))

    def make() -> str:
        if db_kind == "sqlite":
            path = tmp_path / f"db-{next(counter)}.sqlite"
            shutil.copyfile(sqlite_schema_template(), path)
            return f"sqlite+aiosqlite:///{path}"
        return require_postgres(postgres_cluster).create_migrated_database()

    yield make


@pytest.fixture
def database_url(make_database_url: object) -> str:
    return make_database_url()  # type: ignore[operator]


# Last: after -k and -m have deselected, so the chunks are counted on what runs.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run ``sqlite_only`` / ``postgres_only`` tests on that database alone.

    Deselected rather than skipped: a skip in CI should only ever mean something is
    missing, never "this combination is not meant to run".
    """
    kept, dropped = [], []
    for item in items:
        if (item.get_closest_marker("sqlite_only") and "[postgresql" in item.nodeid) or (
            item.get_closest_marker("postgres_only") and "[sqlite" in item.nodeid
        ):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    # Every worker collects and must reorder alike: the order depends on nothing else.
    items[:] = slowest_first(kept, worker_count())
