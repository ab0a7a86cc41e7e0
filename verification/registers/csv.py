"""Reader for any delimited register, laid out by a `mapping.CsvMapping`.

Rows are split on raw bytes (unquoted rows with a plain split, quoted ones by the
csv module, which follows quoted line breaks), then only the mapped columns are
decoded. A row filtered out by [filter] is counted as skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from verification.names import split_full_name
from verification.registers.base import (
    Dialect,
    Header,
    ReadItem,
    ReadStats,
    Record,
    RegisterEntry,
    RowProblem,
    StrPath,
    check_ascii_compatible,
    iter_records,
    open_register,
    read_header,
    seek_start,
)
from verification.registers.mapping import CsvMapping


def read(
    path: StrPath,
    mapping: CsvMapping,
    *,
    start_offset: int = 0,
    start_line_no: int | None = None,
    stats: ReadStats | None = None,
) -> Iterator[ReadItem]:
    """Yield (position after the row, entry or problem) for each kept row."""
    check_ascii_compatible(mapping.encoding)
    dialect = Dialect(mapping.delimiter, '"' if mapping.quoting else None)
    stats = stats or ReadStats()
    with open_register(path) as handle:
        header = read_header(handle, dialect, mapping.encoding)
        layout = _Layout.from_header(header, mapping)
        start = seek_start(handle, header, start_offset, start_line_no)
        for record in iter_records(handle, start, dialect, len(header.columns)):
            stats.rows += 1
            item = _entry(record, layout, mapping)
            if item is None:
                stats.skipped += 1
                continue
            if isinstance(item, RegisterEntry):
                stats.entries += 1
            else:
                stats.problems += 1
            yield record.end, item


@dataclass(frozen=True, slots=True)
class _Layout:
    """Column indexes for the mapped names; -1 for columns the mapping leaves out."""

    licence_id: int
    family_name: int
    given_names: int
    full_name: int
    specialty: int
    credential: int
    active: int
    filter: int

    @classmethod
    def from_header(cls, header: Header, mapping: CsvMapping) -> _Layout:
        header.indexes(mapping.columns())  # report every missing column at once

        def at(name: str | None) -> int:
            return header.index(name) if name is not None else -1

        return cls(
            licence_id=at(mapping.licence_id),
            family_name=at(mapping.family_name),
            given_names=at(mapping.given_names),
            full_name=at(mapping.full_name),
            specialty=at(mapping.specialty),
            credential=at(mapping.credential),
            active=at(mapping.active.column if mapping.active else None),
            filter=at(mapping.filter.column if mapping.filter else None),
        )


def _entry(
    record: Record, layout: _Layout, mapping: CsvMapping
) -> RegisterEntry | RowProblem | None:
    if record.fields is None:
        return RowProblem(record.line_no, record.error or "unreadable row")
    fields = record.fields

    def text(index: int) -> str:
        return fields[index].decode(mapping.encoding).strip() if index >= 0 else ""

    try:
        if mapping.filter and not mapping.filter.accepts(text(layout.filter)):
            return None
        licence_id = text(layout.licence_id)
        if layout.full_name >= 0:
            family, given = split_full_name(
                text(layout.full_name), family_first=mapping.family_first
            )
        else:
            family, given = text(layout.family_name), text(layout.given_names)
        specialty, credential = text(layout.specialty), text(layout.credential)
        active = mapping.active.accepts(text(layout.active)) if mapping.active else True
    except UnicodeDecodeError as exc:
        return RowProblem(record.line_no, f"not valid {mapping.encoding} ({exc.reason})")
    if not licence_id:
        return RowProblem(record.line_no, f"empty {mapping.licence_id}")
    if not family and not given:
        return RowProblem(record.line_no, f"licence {licence_id}: no name")
    return RegisterEntry(
        licence_id, family, given, specialty or None, credential or None, active, record.line_no
    )
