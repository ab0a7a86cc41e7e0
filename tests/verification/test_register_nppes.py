from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.verification.factories import individual, npi, organisation, write_nppes
from verification.registers import nppes, synthetic
from verification.registers import nppes_columns as col
from verification.registers.base import (
    Position,
    ReadStats,
    RegisterEntry,
    RegisterFormatError,
    RowProblem,
)
from verification.registers.nppes import npi_is_valid

NPI_A, NPI_B, NPI_C, NPI_D = (npi(123456780 + n) for n in range(4))


def items(path: Path, **kwargs: object) -> list[RegisterEntry | RowProblem]:
    return [item for _, item in nppes.read(path, **kwargs)]


def test_real_header_has_330_columns() -> None:
    assert len(col.COLUMNS) == 330
    assert col.COLUMNS.index(col.taxonomy_code(1)) == 47
    assert col.COLUMNS.index("Is Sole Proprietor") == 307
    assert col.COLUMNS[-1] == "Certification Date"


def test_individuals_become_entries_and_organisations_are_skipped(tmp_path: Path) -> None:
    path = write_nppes(
        tmp_path / "f.csv",
        [
            individual(NPI_A, "SMITH", "JOHN", **{col.MIDDLE_NAME: "ANDREW"}),
            organisation(NPI_B, "MERCY HOSPITAL"),
            individual(NPI_C, "O'BRIEN", "MARY", **{col.CREDENTIAL: ""}),
        ],
    )
    stats = ReadStats()
    assert items(path, stats=stats) == [
        RegisterEntry(NPI_A, "SMITH", "JOHN ANDREW", "207R00000X", "M.D.", True, 2),
        RegisterEntry(NPI_C, "O'BRIEN", "MARY", "207R00000X", None, True, 4),
    ]
    assert stats == ReadStats(rows=3, entries=2, problems=0, skipped=1)


def test_primary_taxonomy_is_the_specialty_and_non_physicians_are_skipped(
    tmp_path: Path,
) -> None:
    cardiologist = individual(
        NPI_A,
        "LEE",
        "ANNA",
        **{
            col.taxonomy_code(1): "207R00000X",
            col.primary_switch(1): "N",
            col.taxonomy_code(2): "207RC0000X",
            col.primary_switch(2): "Y",
        },
    )
    nurse = individual(NPI_B, "KIM", "JO", **{col.taxonomy_code(1): "363LF0000X"})
    path = write_nppes(tmp_path / "f.csv", [cardiologist, nurse])
    assert [e.specialty for e in items(path)] == ["207RC0000X"]
    everyone = items(path, physicians_only=False)
    assert [e.licence_id for e in everyone] == [NPI_A, NPI_B]


def test_taxonomies_beyond_the_second_group(tmp_path: Path) -> None:
    many = {col.taxonomy_code(n): "363LF0000X" for n in range(1, 15)}
    many |= {col.primary_switch(1): "N"}
    many |= {col.taxonomy_code(15): "2084P0800X", col.primary_switch(15): "Y"}
    path = write_nppes(
        tmp_path / "f.csv",
        [
            individual(NPI_A, "FIFTEEN", "GROUPS", **many),
            individual(NPI_B, "THIRD", "GROUP", **{col.taxonomy_code(3): "207P00000X"}),
        ],
    )
    got = items(path)
    assert [(e.family_name, e.specialty) for e in got] == [
        ("FIFTEEN", "2084P0800X"),
        ("THIRD", "207R00000X"),
    ]


def test_deactivation_and_reactivation(tmp_path: Path) -> None:
    path = write_nppes(
        tmp_path / "f.csv",
        [
            # NPPES blanks a deactivated NPI's row except the number and date.
            {col.NPI: NPI_A, col.DEACTIVATION_DATE: "05/17/2016"},
            individual(NPI_B, "JONES", "AL", **{col.DEACTIVATION_DATE: "01/02/2019"}),
            individual(
                NPI_C,
                "BROWN",
                "ED",
                **{col.DEACTIVATION_DATE: "01/02/2019", col.REACTIVATION_DATE: "03/04/2020"},
            ),
            individual(
                NPI_D,
                "WHITE",
                "FAY",
                **{col.DEACTIVATION_DATE: "01/02/2021", col.REACTIVATION_DATE: "03/04/2020"},
            ),
        ],
    )
    got = {e.licence_id: e for e in items(path)}
    assert got[NPI_A] == RegisterEntry(NPI_A, "", "", None, None, False, 2)
    assert not got[NPI_B].active
    assert got[NPI_C].active
    assert not got[NPI_D].active  # reactivated before the later deactivation


def test_malformed_rows_are_reported_with_line_numbers_and_the_import_goes_on(
    tmp_path: Path,
) -> None:
    header_fields = len(col.COLUMNS)
    path = write_nppes(
        tmp_path / "f.csv",
        [
            individual(NPI_A, "SMITH", "JOHN"),  # line 2
            b'"' + NPI_B.encode() + b'","1","too few"\n',  # line 3
            individual("12345", "SHORT", "NPI"),  # line 4
            individual(NPI_C, "DATE", "BAD", **{col.DEACTIVATION_DATE: "2019-01-02"}),  # 5
            individual(NPI_D, "", "NOLAST"),  # line 6
            {col.NPI: NPI_D, col.ENTITY_TYPE: "3"},  # line 7
            b'"1234567893","1","x""y"z"\n',  # line 8: broken quoting
            individual(NPI_B, "LAST", "ROW"),  # line 9
        ],
    )
    got = items(path)
    problems = [item for item in got if isinstance(item, RowProblem)]
    assert [p.line_no for p in problems] == [3, 4, 5, 6, 7, 8]
    assert f"expected {header_fields} fields, found 3" in problems[0].message
    assert "not 10 digits" in problems[1].message
    assert "MM/DD/YYYY" in problems[2].message
    assert "without a last name" in problems[3].message
    assert "entity type code" in problems[4].message
    assert "quoting" in problems[5].message
    assert [e.line_no for e in got if isinstance(e, RegisterEntry)] == [2, 9]


def test_quoted_quotes_and_line_breaks_use_the_slow_path(tmp_path: Path) -> None:
    address = "Provider Second Line Business Mailing Address"
    path = write_nppes(
        tmp_path / "f.csv",
        [
            individual(NPI_A, 'SMITH "JR"', "JOHN"),
            individual(NPI_B, "JONES", "AL", **{address: "FLOOR 2\nROOM 12"}),
            individual(NPI_C, "LAST", "ROW"),
        ],
        newline="\r\n",
    )
    got = list(nppes.read(path))
    assert [item.family_name for _, item in got] == ['SMITH "JR"', "JONES", "LAST"]
    assert [item.line_no for _, item in got] == [2, 3, 5]
    assert [position.line_no for position, _ in got] == [2, 4, 5]
    assert got[-1][0].offset == path.stat().st_size


def test_unterminated_quote_at_the_end_is_a_problem(tmp_path: Path) -> None:
    path = write_nppes(
        tmp_path / "f.csv", [individual(NPI_A, "OK", "ROW"), b'"123","1","never closed\n']
    )
    got = items(path)
    assert isinstance(got[1], RowProblem) and got[1].line_no == 3


def test_encoding_problems_are_row_problems(tmp_path: Path) -> None:
    latin1_row = synthetic.nppes_row(individual(NPI_B, "X", "Y")).replace(
        b'"X"', b'"' + "MÜLLER".encode("latin-1") + b'"'
    )
    path = write_nppes(
        tmp_path / "f.csv",
        [individual(NPI_A, "MÜLLER", "JÖRG"), latin1_row, individual(NPI_C, "OK", "ROW")],
    )
    got = items(path)
    assert got[0].family_name == "MÜLLER"
    assert isinstance(got[1], RowProblem) and "not valid utf-8" in got[1].message
    assert got[1].line_no == 3
    assert got[2].line_no == 4
    assert [e.family_name for e in items(path, encoding="latin-1")][1] == "MÜLLER"


def test_resume_from_any_checkpoint_yields_exactly_the_remaining_items(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    synthetic.write_nppes(path, 400, seed=3, mix=synthetic.NppesMix(awkward=0.05))
    everything = list(nppes.read(path, physicians_only=False))
    assert len(everything) > 200
    for cut in range(0, len(everything), 7):
        position = everything[cut][0]
        resumed = list(
            nppes.read(
                path,
                start_offset=position.offset,
                start_line_no=position.line_no,
                physicians_only=False,
            )
        )
        assert resumed == everything[cut + 1 :]


def test_resume_counts_line_numbers_when_not_given(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    synthetic.write_nppes(path, 50, seed=4)
    everything = list(nppes.read(path))
    position = everything[10][0]
    assert list(nppes.read(path, start_offset=position.offset)) == everything[11:]


def test_resume_rejects_offsets_that_are_not_row_starts(tmp_path: Path) -> None:
    path = write_nppes(tmp_path / "f.csv", [individual(NPI_A, "A", "B")])
    size = path.stat().st_size
    for bad in (5, size - 3, size + 10):
        with pytest.raises(RegisterFormatError):
            list(nppes.read(path, start_offset=bad))
    assert list(nppes.read(path, start_offset=size)) == []


def test_a_file_that_is_not_nppes_fails_before_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(RegisterFormatError, match="lacks columns"):
        list(nppes.read(path))
    with pytest.raises(RegisterFormatError, match="ASCII-compatible"):
        list(nppes.read(path, encoding="utf-16"))


def test_generated_files_have_valid_distinct_npis_and_the_real_header(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    synthetic.write_nppes(path, 2000, seed=5)
    with path.open("rb") as handle:
        assert handle.readline() == synthetic.nppes_header()
    stats = ReadStats()
    entries = [e for _, e in nppes.read(path, physicians_only=False, stats=stats)]
    assert stats.rows == 2000 and stats.problems == 0
    assert 300 < stats.skipped < 700  # about a quarter are organisations
    numbers = [e.licence_id for e in entries]
    assert len(set(numbers)) == len(numbers)
    assert all(npi_is_valid(number) for number in numbers)


def test_npi_check_digit() -> None:
    assert npi_is_valid("1234567893")  # CMS's worked example
    assert not npi_is_valid("1234567839")  # neighbouring digits swapped
    assert not npi_is_valid("1234567890")
    assert not npi_is_valid("123456789")
    assert not npi_is_valid("12345678９3")


def _rss_bytes() -> int:
    # Current resident set size; ru_maxrss would only give the process's peak,
    # which earlier tests may already have set higher.
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_100k_rows_stream_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    synthetic.write_nppes(path, 100_000, seed=6)
    stats = ReadStats()
    samples: list[int] = []
    last = Position(0, 0)
    for position, _ in nppes.read(path, physicians_only=False, stats=stats):
        last = position
        if stats.rows % 10_000 == 0:
            samples.append(_rss_bytes())
    assert stats.rows == 100_000
    assert last.offset == path.stat().st_size  # ~115 MB streamed
    # Holding the entries would add ~30 MB between the first and last samples.
    assert max(samples) - samples[0] < 4_000_000, samples


def test_columns_are_found_by_name_in_any_order(tmp_path: Path) -> None:
    columns = list(reversed(col.COLUMNS))
    rows = [individual(NPI_A, "SMITH", "JOHN"), organisation(NPI_B, "MERCY HOSPITAL")]
    lines = [synthetic._quoted_line(columns, "\n")]
    lines += [synthetic._quoted_line([row.get(name, "") for name in columns], "\n") for row in rows]
    path = tmp_path / "reordered.csv"
    path.write_bytes(b"".join(lines))
    stats = ReadStats()
    assert [e.family_name for e in items(path, stats=stats)] == ["SMITH"]
    assert stats.skipped == 1
