"""Reader for the US NPPES dissemination file (npidata_pfile_*.csv).

About 8 million rows of 330 double-quoted columns (~9 GB). Organisations (entity
type 2) are a quarter of the file and are dropped from their first bytes; the
other rows are split only as far as the last column we use (the 15th primary
taxonomy switch), and only the few fields we keep are decoded.

Per row:
- licence_id is the NPI. Members claim their NPI; state licence numbers are not
  unique across states and are not used.
- active is False when the NPI was deactivated and not reactivated on or after the
  deactivation date. Deactivated NPIs appear in the file with most fields blank,
  even the entity type; they are still yielded (inactive, no names) so that a
  re-import can tell "deactivated" from "gone".
- specialty is the primary taxonomy code (switch "Y"), else the first one.
- physicians_only (default) keeps individuals with at least one taxonomy in the
  Allopathic & Osteopathic Physicians group (codes "20…"); nurses, dentists,
  pharmacists... are counted as skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import BinaryIO

from verification.registers import nppes_columns as col
from verification.registers.base import (
    MAX_LINE_BYTES,
    Dialect,
    Header,
    LongLine,
    Position,
    ReadItem,
    ReadStats,
    RegisterEntry,
    RowProblem,
    StrPath,
    check_ascii_compatible,
    new_entry,
    new_position,
    open_register,
    parse_quoted,
    read_header,
    read_line,
    seek_start,
)

DIALECT = Dialect(delimiter=",", quotechar='"')
PHYSICIAN_TAXONOMY_PREFIX = b"20"
_SEP = b'","'
_BLANK_13_GROUPS = _SEP * (4 * (col.TAXONOMY_GROUPS - 2))


def read(
    path: StrPath,
    *,
    start_offset: int = 0,
    start_line_no: int | None = None,
    encoding: str = "utf-8",
    physicians_only: bool = True,
    stats: ReadStats | None = None,
) -> Iterator[ReadItem]:
    """Yield (position after the row, entry or problem) for each individual's row."""
    check_ascii_compatible(encoding)
    with open_register(path) as handle:
        header = read_header(handle, DIALECT, encoding)
        layout = _Layout.from_header(header)
        start = seek_start(handle, header, start_offset, start_line_no)
        yield from _rows(handle, start, layout, encoding, physicians_only, stats or ReadStats())


@dataclass(frozen=True, slots=True)
class _Layout:
    ncols: int
    split_at: int  # split this many fields off the front; the rest stays one blob
    npi: int
    entity: int
    last: int
    first: int
    middle: int
    credential: int
    deactivated: int
    reactivated: int
    taxonomy_codes: Callable[[list[bytes]], tuple[bytes, ...]]
    primary_switches: Callable[[list[bytes]], tuple[bytes, ...]]
    # Index of "Healthcare Provider Taxonomy Code_1" when the 15 taxonomy groups sit
    # together in the published order after every other column we use; -1 if not.
    taxonomy_start: int

    def taxonomy_from(self, rest: bytes) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
        """Codes and primary switches from the unsplit text starting at Code_1.

        Most providers list one or two taxonomies, so split off two groups and
        confirm with one comparison that the other thirteen are blank, instead of
        making 60 field objects per row.
        """
        head = rest.split(_SEP, 8)
        if len(head) == 9 and head[8].startswith(_BLANK_13_GROUPS):
            return (head[0], head[4]), (head[3], head[7])
        groups = rest.split(_SEP, 4 * col.TAXONOMY_GROUPS)
        return tuple(groups[0:60:4]), tuple(groups[3:60:4])

    @classmethod
    def from_header(cls, header: Header) -> _Layout:
        singles = header.indexes(
            [
                col.NPI,
                col.ENTITY_TYPE,
                col.LAST_NAME,
                col.FIRST_NAME,
                col.MIDDLE_NAME,
                col.CREDENTIAL,
                col.DEACTIVATION_DATE,
                col.REACTIVATION_DATE,
            ]
        )
        groups = range(1, col.TAXONOMY_GROUPS + 1)
        codes = header.indexes([col.taxonomy_code(n) for n in groups])
        switches = header.indexes([col.primary_switch(n) for n in groups])
        npi, entity, last, first, middle, credential, deactivated, reactivated = singles
        start = codes[0]
        canonical = (
            codes == [start + 4 * n for n in range(col.TAXONOMY_GROUPS)]
            and switches == [code + 3 for code in codes]
            and max(singles) < start
        )
        return cls(
            ncols=len(header.columns),
            split_at=start if canonical else max(singles + codes + switches) + 1,
            npi=npi,
            entity=entity,
            last=last,
            first=first,
            middle=middle,
            credential=credential,
            deactivated=deactivated,
            reactivated=reactivated,
            taxonomy_codes=itemgetter(*codes),
            primary_switches=itemgetter(*switches),
            taxonomy_start=start if canonical else -1,
        )


def _rows(
    handle: BinaryIO,
    start: Position,
    layout: _Layout,
    encoding: str,
    physicians_only: bool,
    stats: ReadStats,
) -> Iterator[ReadItem]:
    readline = handle.readline
    offset, line_no = start
    quotes_per_row = 2 * layout.ncols
    separators_per_row = layout.ncols - 1
    split_at = layout.split_at
    taxonomy_start = layout.taxonomy_start
    # Organisations can be dropped from the row's first bytes only when the entity
    # type directly follows the NPI, as in the published layout.
    org_prefix = layout.npi == 0 and layout.entity == 1
    while line := readline(MAX_LINE_BYTES):
        first_line = line_no + 1
        offset += len(line)
        line_no += 1
        body = line[:-2] if line.endswith(b"\r\n") else line[:-1] if line.endswith(b"\n") else line
        # Fast path: every field quoted, none containing a quote, all on this line
        # (proof in base.split_all_quoted). Nearly every NPPES row qualifies.
        if (
            body.count(b'"') == quotes_per_row
            and body.startswith(b'"')
            and body.endswith(b'"')
            and body.count(_SEP) == separators_per_row
        ):
            npi_end = body.find(_SEP, 1, 40) if org_prefix else -1
            if npi_end > 0 and body.startswith(b'2","', npi_end + 3):
                stats.rows += 1
                stats.skipped += 1
                continue
            fields = body[1:-1].split(_SEP, split_at)
            if taxonomy_start >= 0:
                codes, switches = layout.taxonomy_from(fields[taxonomy_start])
            else:
                codes, switches = layout.taxonomy_codes(fields), layout.primary_switches(fields)
        elif not line.strip():
            continue
        else:
            item = _slow_row(line, readline, layout, first_line)
            offset += item.extra_bytes
            line_no += item.extra_lines
            if isinstance(item.result, str):
                stats.rows += 1
                stats.problems += 1
                yield Position(offset, line_no), RowProblem(first_line, item.result)
                continue
            fields = item.result
            codes, switches = layout.taxonomy_codes(fields), layout.primary_switches(fields)
        stats.rows += 1
        built = _build(fields, codes, switches, layout, encoding, physicians_only, first_line)
        if built is None:
            stats.skipped += 1
            continue
        if type(built) is RegisterEntry:
            stats.entries += 1
        else:
            stats.problems += 1
        yield new_position(offset, line_no), built


@dataclass(slots=True)
class _Slow:
    result: list[bytes] | str  # the fields, or what is wrong with the row
    extra_bytes: int  # consumed after the first line
    extra_lines: int


def _slow_row(
    line: bytes, readline: Callable[[int], bytes], layout: _Layout, first_line: int
) -> _Slow:
    """A row the fast path refused: embedded quotes or newlines, or a broken row."""
    if len(line) >= MAX_LINE_BYTES and not line.endswith(b"\n"):
        consumed = 0
        try:
            read_line(readline)
        except LongLine as exc:
            consumed = exc.consumed
        return _Slow(f"line longer than {MAX_LINE_BYTES} bytes", consumed, 0)
    record = parse_quoted(line, readline, DIALECT)
    if record.fields is None:
        return _Slow(record.error or "unreadable row", record.extra_bytes, record.extra_lines)
    if len(record.fields) != layout.ncols:
        message = f"expected {layout.ncols} fields, found {len(record.fields)}"
        return _Slow(message, record.extra_bytes, record.extra_lines)
    return _Slow(record.fields, record.extra_bytes, record.extra_lines)


def _build(
    fields: list[bytes],
    codes: tuple[bytes, ...],
    switches: tuple[bytes, ...],
    layout: _Layout,
    encoding: str,
    physicians_only: bool,
    line_no: int,
) -> RegisterEntry | RowProblem | None:
    """Turn split fields into an entry, a problem, or None for a row we skip."""
    entity = fields[layout.entity]
    if entity == b"2":
        return None
    npi = fields[layout.npi]
    if len(npi) != 10 or not npi.isdigit():
        return RowProblem(line_no, f"NPI {npi[:20]!r} is not 10 digits")
    active = True
    deactivated = fields[layout.deactivated]
    if deactivated:
        try:
            active = _reactivated(deactivated, fields[layout.reactivated])
        except ValueError as exc:
            return RowProblem(line_no, f"NPI {npi.decode()}: {exc}")
    if entity != b"1":
        if not entity and not active:
            # NPPES blanks everything but the NPI and dates of a deactivated NPI.
            return RegisterEntry(npi.decode(), "", "", None, None, False, line_no)
        return RowProblem(line_no, f"NPI {npi.decode()}: entity type code {entity[:10]!r}")
    if physicians_only:
        joined = b"|".join(codes)
        if not (joined.startswith(PHYSICIAN_TAXONOMY_PREFIX) or b"|20" in joined):
            return None
    specialty = codes[switches.index(b"Y")] if b"Y" in switches else next(filter(None, codes), b"")
    try:
        family = fields[layout.last].decode(encoding).strip()
        given = fields[layout.first].decode(encoding).strip()
        middle = fields[layout.middle].decode(encoding).strip()
        credential = fields[layout.credential].decode(encoding).strip()
        specialty_text = specialty.decode(encoding).strip()
    except UnicodeDecodeError as exc:
        return RowProblem(line_no, f"NPI {npi.decode()}: not valid {encoding} ({exc.reason})")
    if not family:
        return RowProblem(line_no, f"NPI {npi.decode()}: individual without a last name")
    return new_entry(
        (
            npi.decode(),
            family,
            f"{given} {middle}" if middle else given,
            specialty_text or None,
            credential or None,
            active,
            line_no,
        )
    )


def _reactivated(deactivated: bytes, reactivated: bytes) -> bool:
    """Whether an NPI deactivated on one date was reactivated on or after it."""
    off = _parse_date(deactivated, "deactivation")
    return bool(reactivated) and _parse_date(reactivated, "reactivation") >= off


def _parse_date(value: bytes, what: str) -> tuple[int, int, int]:
    # NPPES writes MM/DD/YYYY; compare as (year, month, day).
    parts = value.split(b"/")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError(f"{what} date {value[:20]!r} is not MM/DD/YYYY")
    month, day, year = (int(part) for part in parts)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"{what} date {value[:20]!r} is not MM/DD/YYYY")
    return year, month, day


def npi_check_digit(base: str) -> int:
    """The Luhn check digit of a 9-digit NPI base (ISO 7812 prefix 80840 included).

    Doubling every other digit from the right of the base; the constant 24 is the
    contribution of the implied 80840 prefix.
    """
    total = 24
    for position, char in enumerate(reversed(base)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def npi_is_valid(npi: str) -> bool:
    """Whether a claimed NPI has the right shape and check digit.

    The check digit catches every single-digit typo and most swapped neighbours, so
    the node can tell a member "this is not an NPI" before looking anything up.
    """
    npi = npi.strip()
    return (
        len(npi) == 10
        and npi.isascii()
        and npi.isdigit()
        and (npi_check_digit(npi[:9]) == int(npi[9]))
    )
