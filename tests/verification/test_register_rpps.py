from __future__ import annotations

from pathlib import Path

import pytest

from verification.registers import rpps
from verification.registers.base import ReadStats, RegisterEntry, RegisterFormatError, RowProblem
from verification.registers.synthetic import rpps_activity, rpps_header


def write(path: Path, rows: list[bytes], *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + rpps_header() + b"".join(rows))
    return path


def test_rows_of_one_person_merge_into_one_entry(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ps.txt",
        [
            rpps_activity(
                "10001045367", "GUIGNARD", "ERIC", specialty="Gériatrie", specialty_kind="CEX"
            ),
            rpps_activity("10001045367", "GUIGNARD", "ERIC", specialty="Médecine générale"),
            rpps_activity("10001045367", "GUIGNARD", "ERIC", site='CABINET "LES TILLEULS"'),
            rpps_activity("10003456789", "DUPONT", "JEAN", profession="60"),  # infirmier
            rpps_activity("10100000001", "DE LA FONTAINE", "Marie-Hélène", specialty="Pédiatrie"),
        ],
        bom=True,
    )
    stats = ReadStats()
    got = [item for _, item in rpps.read(path, stats=stats)]
    assert got == [
        RegisterEntry("10001045367", "GUIGNARD", "ERIC", "Médecine générale", "Médecin", True, 2),
        RegisterEntry(
            "10100000001", "DE LA FONTAINE", "Marie-Hélène", "Pédiatrie", "Médecin", True, 6
        ),
    ]
    assert stats == ReadStats(rows=5, entries=2, problems=0, skipped=1)


def test_inconsistent_names_and_bad_rows_are_problems(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ps.txt",
        [
            rpps_activity("10001045367", "MARTIN", "SOPHIE"),
            rpps_activity("10001045367", "MARTIN-DURAND", "SOPHIE"),
            b"8|10000000002|too|few\n",
            rpps_activity("", "NOBODY", "X"),
            rpps_activity("10000000003", "NÉE", "ZOÉ").replace(
                "NÉE".encode(), "NÉE".encode("latin-1")
            ),
            rpps_activity("10000000004", "LAST", "ONE"),
        ],
    )
    got = [item for _, item in rpps.read(path)]
    problems = [item for item in got if isinstance(item, RowProblem)]
    assert [p.line_no for p in problems] == [3, 4, 5, 6]
    assert "kept the first" in problems[0].message
    assert "expected" in problems[1].message
    assert "Identifiant PP" in problems[2].message
    assert "utf-8" in problems[3].message
    entries = [item for item in got if isinstance(item, RegisterEntry)]
    assert [(e.licence_id, e.family_name) for e in entries] == [
        ("10001045367", "MARTIN"),
        ("10000000004", "LAST"),
    ]


def test_split_runs_of_one_person_come_out_twice(tmp_path: Path) -> None:
    # Documented limit: only consecutive rows merge (constant memory).
    path = write(
        tmp_path / "ps.txt",
        [
            rpps_activity("10000000001", "A", "B"),
            rpps_activity("10000000002", "C", "D"),
            rpps_activity("10000000001", "A", "B"),
        ],
    )
    assert [e.licence_id for _, e in rpps.read(path)] == [
        "10000000001",
        "10000000002",
        "10000000001",
    ]


def test_resume_from_every_position_loses_nothing(tmp_path: Path) -> None:
    rows = []
    for person in range(30):
        pp = f"1000000{person:04d}"
        for activity in range(person % 4 + 1):
            rows.append(rpps_activity(pp, f"NOM{person}", "Prénom", specialty=f"Spé {activity}"))
        if person % 7 == 0:
            rows.append(b"broken row\n")
        if person % 5 == 0:
            rows.append(rpps_activity(f"2000000{person:04d}", "AUTRE", "PRO", profession="40"))
    path = write(tmp_path / "ps.txt", rows)
    everything = list(rpps.read(path))
    entries = [item for _, item in everything if isinstance(item, RegisterEntry)]
    assert len(entries) == 30
    positions = [position for position, _ in everything]
    assert positions == sorted(positions)
    for position in positions:
        resumed = list(
            rpps.read(path, start_offset=position.offset, start_line_no=position.line_no)
        )
        resumed_entries = [item for _, item in resumed if isinstance(item, RegisterEntry)]
        # Everything after the checkpoint, merged exactly as in one pass.
        done = [item for p, item in everything if p <= position]
        assert resumed_entries == [e for e in entries if e not in done]


def test_header_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ps.txt"
    path.write_text("Identifiant PP|Nom\n1|A\n", encoding="utf-8")
    with pytest.raises(RegisterFormatError, match="Prénom d'exercice"):
        list(rpps.read(path))
