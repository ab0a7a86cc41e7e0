from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from verification.names import split_full_name
from verification.registers import csv as mapped_csv
from verification.registers.base import ReadStats, RegisterEntry, RegisterFormatError, RowProblem
from verification.registers.formats import read_register
from verification.registers.mapping import CsvMapping, MappingError

BIG_MAPPING = """
delimiter = ";"
encoding = "cp1252"

[columns]
licence_id = "BIG-nummer"
family_name = "Achternaam"
given_names = "Voornamen"
specialty = "Specialisme"
credential = "Beroep"

[active]
column = "Status"
inactive_values = ["Doorgehaald", "Geschorst"]

[filter]
column = "Beroep"
values = ["arts"]
"""

BIG_FILE = (
    "BIG-nummer;Achternaam;Voornamen;Beroep;Specialisme;Status\r\n"
    "19012345601;van den Berg;Jan Willem;Arts;Cardiologie;Ingeschreven\r\n"
    "19012345602;Jansen-de Vries;Anna;Arts;;Doorgehaald\r\n"
    "29012345603;Bakker;Piet;Verpleegkundige;;Ingeschreven\r\n"
    '19012345604;"Müller; Schmidt";"Hans ""Hansi""";Arts;Neurologie; ingeschreven \r\n'
    "19012345605;Broken\r\n"
    ";Geen;Nummer;Arts;;Ingeschreven\r\n"
    '19012345606;"Twee\r\nRegels";Eva;Arts;;Ingeschreven\r\n'
    "19012345607;Ælfgifu;Øystein;ARTS;;Ingeschreven\r\n"
)


@pytest.fixture
def big(tmp_path: Path) -> tuple[Path, CsvMapping]:
    mapping_path = tmp_path / "big.toml"
    mapping_path.write_text(BIG_MAPPING, encoding="utf-8")
    path = tmp_path / "big.csv"
    path.write_bytes(BIG_FILE.encode("cp1252"))
    return path, CsvMapping.load(mapping_path)


def test_mapped_register(big: tuple[Path, CsvMapping]) -> None:
    path, mapping = big
    stats = ReadStats()
    got = [item for _, item in mapped_csv.read(path, mapping, stats=stats)]
    assert got == [
        RegisterEntry("19012345601", "van den Berg", "Jan Willem", "Cardiologie", "Arts", True, 2),
        RegisterEntry("19012345602", "Jansen-de Vries", "Anna", None, "Arts", False, 3),
        RegisterEntry(
            "19012345604", "Müller; Schmidt", 'Hans "Hansi"', "Neurologie", "Arts", True, 5
        ),
        RowProblem(6, "expected 6 fields, found 2"),
        RowProblem(7, "empty BIG-nummer"),
        RegisterEntry("19012345606", "Twee\r\nRegels", "Eva", None, "Arts", True, 8),
        RegisterEntry("19012345607", "Ælfgifu", "Øystein", None, "ARTS", True, 10),
    ]
    assert stats == ReadStats(rows=8, entries=5, problems=2, skipped=1)


def test_resume_mid_file(big: tuple[Path, CsvMapping]) -> None:
    path, mapping = big
    everything = list(mapped_csv.read(path, mapping))
    for cut, (position, _) in enumerate(everything):
        resumed = list(mapped_csv.read(path, mapping, start_offset=position.offset))
        assert resumed == everything[cut + 1 :]


def test_wrong_encoding_is_reported_per_row(tmp_path: Path) -> None:
    mapping = CsvMapping.from_dict(
        {"columns": {"licence_id": "id", "family_name": "fam", "given_names": "giv"}}
    )
    path = tmp_path / "r.csv"
    path.write_bytes(
        "id,fam,giv\n1,Łukasiewicz,Jan\n".encode()
        + "2,Ólafsdóttir,Guðrún\n".encode("latin-1")
        + b"3,Nowak,Anna\n"
    )
    got = [item for _, item in mapped_csv.read(path, mapping)]
    assert got[0].family_name == "Łukasiewicz"
    assert got[1] == RowProblem(3, "not valid utf-8 (invalid continuation byte)")
    assert got[2].family_name == "Nowak"


def test_full_name_column_and_unquoted_files(tmp_path: Path) -> None:
    mapping = CsvMapping.from_dict(
        {
            "delimiter": "|",
            "quoting": False,
            "columns": {"licence_id": "Nr", "full_name": "Navn", "name_order": "given_first"},
            "active": {"column": "Aktiv", "values": ["ja"]},
        }
    )
    path = tmp_path / "r.txt"
    path.write_text(
        'Nr|Navn|Aktiv\n0123|Søren Kierkegaard|Ja\n0124|"Lars" Løkke Rasmussen|nej\n',
        encoding="utf-8",
    )
    got = [item for _, item in mapped_csv.read(path, mapping)]
    assert got == [
        RegisterEntry("0123", "Kierkegaard", "Søren", None, None, True, 2),
        RegisterEntry("0124", "Rasmussen", '"Lars" Løkke', None, None, False, 3),
    ]


def test_missing_columns_fail_before_any_row(big: tuple[Path, CsvMapping]) -> None:
    path, _ = big
    mapping = CsvMapping.from_dict(
        {"delimiter": ";", "columns": {"licence_id": "Nummer", "family_name": "Naam"}}
    )
    with pytest.raises(RegisterFormatError, match="Nummer, Naam"):
        list(mapped_csv.read(path, mapping))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "needs a \\[columns\\]"),
        ({"columns": {"family_name": "x"}}, "needs licence_id"),
        ({"columns": {"licence_id": "x"}}, "needs family_name"),
        ({"columns": {"licence_id": "x", "full_name": "y", "family_name": "z"}}, "pick one"),
        ({"columns": {"licence_id": "x", "family_name": "y", "licence_number": "z"}}, "unknown"),
        ({"colums": {}}, "unknown mapping keys: colums"),
        ({"delimiter": ";;", "columns": {"licence_id": "x", "family_name": "y"}}, "delimiter"),
        ({"encoding": "utf-16", "columns": {"licence_id": "x", "family_name": "y"}}, "ASCII"),
        ({"encoding": "klingon", "columns": {"licence_id": "x", "family_name": "y"}}, "unknown"),
        (
            {"columns": {"licence_id": "x", "full_name": "y", "name_order": "sideways"}},
            "name_order",
        ),
        (
            {
                "columns": {"licence_id": "x", "family_name": "y"},
                "active": {"column": "s", "values": ["a"], "inactive_values": ["b"]},
            },
            "exactly one",
        ),
        (
            {"columns": {"licence_id": "x", "family_name": "y"}, "filter": {"column": "p"}},
            "non-empty list",
        ),
    ],
)
def test_bad_mappings_say_what_is_wrong(data: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        CsvMapping.from_dict(data)


def test_mapping_file_that_is_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text("columns = [", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid TOML"):
        CsvMapping.load(path)


@pytest.mark.parametrize(
    ("full", "family_first", "expected"),
    [
        ("DUPONT Jean Marie", True, ("DUPONT", "Jean Marie")),
        ("Jan VAN DER BERG", False, ("VAN DER BERG", "Jan")),
        ("van der Berg Jan", True, ("van der Berg", "Jan")),
        ("Jan van der Berg", False, ("van der Berg", "Jan")),
        ("Berg, Jan van den", True, ("van den Berg", "Jan")),
        ("Nagy László", True, ("Nagy", "László")),
        ("Anna Maria Rossi", False, ("Rossi", "Anna Maria")),
        ("", True, ("", "")),
    ],
)
def test_split_full_name(full: str, family_first: bool, expected: tuple[str, str]) -> None:
    assert split_full_name(full, family_first=family_first) == expected


def test_read_register_dispatches_by_format(big: tuple[Path, CsvMapping], tmp_path: Path) -> None:
    path, _ = big
    mapping_path = tmp_path / "big.toml"
    entries = list(read_register("csv", path, mapping=mapping_path))
    assert len(entries) == 7
    with pytest.raises(RegisterFormatError, match="needs a mapping"):
        read_register("csv", path)
    with pytest.raises(RegisterFormatError, match="takes no mapping"):
        read_register("nppes", path, mapping=mapping_path)
    with pytest.raises(RegisterFormatError, match="unknown register format 'big'"):
        read_register("big", path)
    with pytest.raises(RegisterFormatError, match="lacks columns"):
        next(read_register("rpps", path))
