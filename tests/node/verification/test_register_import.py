"""Register import into the node's database: formats, idempotency, resume, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from node.verification.import_summary import summary
from node.verification.importer import ImportOptions, prepare
from node.verification.models import ImportStatus, RegisterImport, RegisterRecord
from tests.node.verification.support import (
    ADA,
    BEN,
    CLEO,
    CSV_MAPPING,
    run_import,
    standard_register,
)
from tests.rig import NodeNetwork, TestNode
from tests.verification.factories import individual, npi, write_nppes
from verification.registers import nppes, synthetic
from verification.registers.base import RegisterEntry
from verification.registers.synthetic import rpps_activity, rpps_header


async def stored(node: TestNode, register: str | None = None) -> dict[str, tuple[object, ...]]:
    async with node.state.db.read() as session:
        query = select(RegisterRecord)
        if register is not None:
            query = query.where(RegisterRecord.register == register)
        rows = await session.scalars(query)
        return {
            row.licence_id: (
                row.register,
                row.family_name,
                row.given_names,
                row.specialty,
                row.credential,
                row.active,
                row.first_seen_import_id,
                row.changed_import_id,
            )
            for row in rows
        }


async def imports(node: TestNode) -> list[RegisterImport]:
    async with node.state.db.read() as session:
        return list(await session.scalars(select(RegisterImport).order_by(RegisterImport.id)))


def expected_nppes(path: Path) -> dict[str, bool]:
    """What the reader alone yields: licence id -> active."""
    return {
        item.licence_id: item.active
        for _, item in nppes.read(path)
        if isinstance(item, RegisterEntry)
    }


async def test_generated_nppes_file(network: NodeNetwork, tmp_path: Path) -> None:
    node = await network.spawn("US")
    path = tmp_path / "npidata.csv"
    synthetic.write_nppes(path, 3_000, seed=7)
    expected = expected_nppes(path)
    report = await run_import(node, path, batch_size=250)
    assert report.status == ImportStatus.COMPLETED
    assert report.rows_read == 3_000
    assert report.entries == len(expected)
    assert report.counts["listed"] == len(expected)
    assert report.counts["new"] == len(expected)
    assert report.counts["inactive"] == sum(not active for active in expected.values())
    assert report.problems == 0
    rows = await stored(node)
    assert {licence: row[5] for licence, row in rows.items()} == expected
    [run] = await imports(node)
    assert run.status == ImportStatus.COMPLETED
    assert run.checkpoint_offset == path.stat().st_size
    assert run.finished_at is not None


async def test_rpps_file(network: NodeNetwork, tmp_path: Path) -> None:
    node = await network.spawn("FR")
    path = tmp_path / "PS_LibreAcces_Personne_activite.txt"
    path.write_bytes(
        rpps_header()
        + rpps_activity("10001045367", "GUIGNARD", "ERIC", specialty="Gériatrie")
        + rpps_activity("10001045367", "GUIGNARD", "ERIC", specialty="Médecine générale")
        + rpps_activity("10003456789", "DUPONT", "JEAN", profession="60")
        # Decomposed accents (NFD) are stored composed, so one name has one spelling.
        + rpps_activity("10100000001", "DE LA FONTAINE", "Marie-He\u0301le\u0300ne")
    )
    report = await run_import(node, path, "rpps")
    assert (report.entries, report.skipped, report.problems) == (2, 1, 0)
    rows = await stored(node, "rpps")
    assert set(rows) == {"10001045367", "10100000001"}
    assert rows["10001045367"][1:4] == ("GUIGNARD", "ERIC", "Gériatrie")
    assert rows["10100000001"][2] == "Marie-Hélène"


async def test_csv_file_with_mapping(network: NodeNetwork, tmp_path: Path) -> None:
    node = await network.spawn("NL")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(CSV_MAPPING, encoding="utf-8")
    path = tmp_path / "register.csv"
    path.write_text(
        "Number;Surname;Forenames;Specialty;Status\n"
        "NL-1001;van den Berg;Jan;Cardiologie;active\n"
        "NL-1002;Jansen;Anna;;struck off\n"
        ";Nobody;Here;;active\n",
        encoding="utf-8",
    )
    report = await run_import(node, path, "csv", mapping=mapping, register="big")
    assert (report.entries, report.problems) == (2, 1)
    assert report.problem_samples == [(4, "empty Number")]
    rows = await stored(node, "big")
    # Numbers are stored normalised, as claims are looked up.
    assert rows["NL1001"][1:6] == ("van den Berg", "Jan", "Cardiologie", None, True)
    assert rows["NL1002"][5] is False


async def test_same_file_again_changes_nothing(network: NodeNetwork, tmp_path: Path) -> None:
    node = await network.spawn("US")
    path = tmp_path / "npidata.csv"
    synthetic.write_nppes(path, 1_500, seed=3)
    first = await run_import(node, path, batch_size=100)
    before = await stored(node)
    again = await run_import(node, path, batch_size=100)
    assert again.import_id != first.import_id
    assert again.counts == {**first.counts, "new": 0, "changed": 0, "gone": 0}
    assert (again.suspended, again.restored) == (0, 0)
    assert await stored(node) == before
    assert [run.status for run in await imports(node)] == ["completed", "completed"]


async def test_changes_between_imports_are_counted(network: NodeNetwork, tmp_path: Path) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "one.csv"))
    report = await run_import(
        node,
        write_nppes(
            tmp_path / "two.csv",
            [
                individual(ADA, "LOVELACE", "ADA", **{"NPI Deactivation Date": "02/01/2021"}),
                individual(npi(100000004), "NEW", "NORA"),
            ],
        ),
    )
    assert report.counts == {
        "listed": 2,
        "active": 1,
        "inactive": 1,
        "new": 1,
        "changed": 1,
        "gone": 2,
    }
    rows = await stored(node)
    assert set(rows) == {ADA, npi(100000004)}  # gone entries are deleted
    assert rows[ADA][5] is False


async def test_deactivated_row_without_names_keeps_the_names(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "one.csv"))
    # NPPES blanks everything but the number and the dates of a deactivated NPI.
    blank = synthetic.nppes_row({"NPI": ADA, "NPI Deactivation Date": "02/01/2021"})
    path = write_nppes(tmp_path / "two.csv", [blank])
    await run_import(node, path)
    row = (await stored(node))[ADA]
    assert row[1:3] == ("LOVELACE", "ADA")
    assert row[5] is False


class Stop(Exception):
    pass


def stop_after(batches: int) -> object:
    seen = []

    def progress(done: int, rows: int) -> None:
        seen.append(done)
        if len(seen) == batches:
            raise Stop

    return progress


async def test_interrupted_import_resumes_from_its_checkpoint(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    path = tmp_path / "npidata.csv"
    synthetic.write_nppes(path, 3_000, seed=11)
    expected = expected_nppes(path)
    with pytest.raises(Stop):
        await run_import(node, path, batch_size=200, progress=stop_after(3))
    [run] = await imports(node)
    assert run.status == ImportStatus.RUNNING
    assert 0 < run.checkpoint_offset < path.stat().st_size
    assert run.entries == 600
    checkpoint_line = run.checkpoint_line
    assert len(await stored(node)) == 600

    report = await run_import(node, path, batch_size=200)
    assert report.import_id == run.id
    assert report.resumed_at_line == checkpoint_line + 1
    assert report.rows_read == 3_000
    assert 0 < report.rows_before < 3_000
    text = summary(report)
    assert f"resumed at line {checkpoint_line + 1:,}" in text
    assert f"Read {3_000 - report.rows_before:,} rows in" in text and "3,000 in all" in text
    assert report.entries == len(expected)
    assert report.counts["new"] == len(expected)
    assert {licence: row[5] for licence, row in (await stored(node)).items()} == expected
    assert [r.status for r in await imports(node)] == ["completed"]


async def test_another_file_abandons_the_unfinished_import(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    first = tmp_path / "old.csv"
    synthetic.write_nppes(first, 2_000, seed=1)
    with pytest.raises(Stop):
        await run_import(node, first, batch_size=100, progress=stop_after(1))
    report = await run_import(node, standard_register(tmp_path / "new.csv"))
    assert report.resumed_at_line is None
    assert [r.status for r in await imports(node)] == ["abandoned", "completed"]
    # Rows only the abandoned run saw are gone with it.
    assert set(await stored(node)) == {ADA, BEN, CLEO}


async def test_malformed_rows_are_reported_with_line_numbers(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    good = [individual(npi(100000100 + n), "GOOD", f"DOC{n}") for n in range(3)]
    bad_npi = individual("12345", "SHORT", "NUMBER")
    no_name = individual(npi(100000200), "", "NAMELESS")
    broken = b'"1000000003","1"\n'  # far too few fields
    path = write_nppes(
        tmp_path / "npidata.csv", [good[0], bad_npi, good[1], broken, no_name, good[2]]
    )
    report = await run_import(node, path)
    assert report.entries == 3
    assert report.problems == 3
    lines = [line for line, _ in report.problem_samples]
    assert lines == [3, 5, 6]
    assert "not 10 digits" in report.problem_samples[0][1]
    assert "expected 330 fields" in report.problem_samples[1][1]
    assert "without a last name" in report.problem_samples[2][1]
    assert len(await stored(node)) == 3


async def test_only_the_first_problems_are_kept(network: NodeNetwork, tmp_path: Path) -> None:
    node = await network.spawn("US")
    rows = [individual(f"99{n:03d}", "BAD", "NPI") for n in range(25)]
    report = await run_import(node, write_nppes(tmp_path / "bad.csv", rows))
    assert report.problems == 25
    assert len(report.problem_samples) == 20
    assert report.problem_samples[0][0] == 2


async def test_a_wrong_header_fails_before_anything_is_written(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    path = tmp_path / "not-nppes.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lacks columns"):
        await prepare(node.state.db, ImportOptions(path=path, format="nppes", register="nppes"))
    assert await imports(node) == []
