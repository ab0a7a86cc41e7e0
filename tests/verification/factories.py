"""Row builders shared by the verification tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from verification.registers import nppes_columns as col
from verification.registers import synthetic
from verification.registers.nppes import npi_check_digit


def npi(base: int) -> str:
    """A valid NPI from a 9-digit base."""
    text = str(base)
    return text + str(npi_check_digit(text))


def individual(number: str, last: str, first: str, **extra: str) -> dict[str, str]:
    """Column values for a physician's NPPES row; `extra` keys are column names."""
    values = {
        col.NPI: number,
        col.ENTITY_TYPE: "1",
        col.LAST_NAME: last,
        col.FIRST_NAME: first,
        col.CREDENTIAL: "M.D.",
        col.taxonomy_code(1): "207R00000X",
        col.primary_switch(1): "Y",
    }
    values.update(extra)
    return values


def organisation(number: str, name: str) -> dict[str, str]:
    return {
        col.NPI: number,
        col.ENTITY_TYPE: "2",
        "Provider Organization Name (Legal Business Name)": name,
        col.taxonomy_code(1): "261QM1300X",
        col.primary_switch(1): "Y",
    }


def write_nppes(path: Path, rows: Iterable[dict[str, str] | bytes], newline: str = "\n") -> Path:
    with path.open("wb") as out:
        out.write(synthetic.nppes_header(newline))
        for row in rows:
            out.write(row if isinstance(row, bytes) else synthetic.nppes_row(row, newline))
    return path
