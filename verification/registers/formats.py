"""One entry point for the node's `curbside registry import --format nppes|rpps|csv`."""

from __future__ import annotations

from collections.abc import Iterator

from verification.registers import csv, nppes, rpps
from verification.registers.base import ReadItem, ReadStats, RegisterFormatError, StrPath
from verification.registers.mapping import CsvMapping

FORMATS = ("nppes", "rpps", "csv")


def read_register(
    format_name: str,
    path: StrPath,
    *,
    mapping: StrPath | None = None,
    start_offset: int = 0,
    start_line_no: int | None = None,
    stats: ReadStats | None = None,
) -> Iterator[ReadItem]:
    """Stream a register file of the named format (csv needs a mapping file).

    Problems with the arguments (unknown format, missing or bad mapping) raise
    RegisterFormatError here; problems with the file's header raise it at the
    first step of the iteration, before any row.
    """
    if format_name == "csv":
        if mapping is None:
            raise RegisterFormatError("the csv format needs a mapping file (--mapping)")
        layout = CsvMapping.load(mapping)
        return csv.read(
            path, layout, start_offset=start_offset, start_line_no=start_line_no, stats=stats
        )
    if mapping is not None:
        raise RegisterFormatError(f"the {format_name} format takes no mapping file")
    if format_name == "nppes":
        return nppes.read(path, start_offset=start_offset, start_line_no=start_line_no, stats=stats)
    if format_name == "rpps":
        return rpps.read(path, start_offset=start_offset, start_line_no=start_line_no, stats=stats)
    raise RegisterFormatError(f"unknown register format {format_name!r}; use {', '.join(FORMATS)}")
