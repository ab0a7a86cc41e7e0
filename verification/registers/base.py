"""What every register reader yields, and the resumable line machinery they share.

A register file can be many gigabytes (NPPES is ~9 GB), so readers work on the raw
bytes of one record at a time and never hold more than that. Every yielded item is
paired with a `Position`: the byte offset just after the last row that contributed
to it, plus that row's physical line number. Handing a position back to
``read(path, start_offset=..., start_line_no=...)`` continues the import exactly
there, so a crashed or interrupted import does not start over.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

# A physical line longer than this is not a register row but a corrupt or wrong
# file; reading it whole would break the constant-memory promise.
MAX_LINE_BYTES = 1 << 20

StrPath = str | os.PathLike[str]

_BOM = b"\xef\xbb\xbf"
_COUNT_CHUNK = 1 << 22


# Entries and problems are NamedTuples, not frozen dataclasses: a reader makes
# millions of them and a frozen dataclass costs ~2.5 us to build against ~0.3 us.
# They compare equal to plain tuples with the same values; nothing relies on that.


class RegisterEntry(NamedTuple):
    """One licensed person as the register lists them, names as printed there."""

    licence_id: str
    family_name: str
    given_names: str
    specialty: str | None
    credential: str | None
    active: bool
    line_no: int


class RowProblem(NamedTuple):
    """A row that could not be read; the import goes on without it."""

    line_no: int
    message: str


class Position(NamedTuple):
    """Where to resume: byte offset after a row, and that row's last line number."""

    offset: int
    line_no: int


ReadItem = tuple[Position, RegisterEntry | RowProblem]


def new_position(offset: int, line_no: int) -> Position:
    """Position(offset, line_no) without the NamedTuple constructor's Python frame."""
    return _tuple_new(Position, (offset, line_no))


def new_entry(values: tuple[str, str, str, str | None, str | None, bool, int]) -> RegisterEntry:
    """RegisterEntry(*values), built the cheap way for the hot loops."""
    return _tuple_new(RegisterEntry, values)


_tuple_new = tuple.__new__


class RegisterFormatError(ValueError):
    """The file as a whole cannot be read (wrong format, missing column, bad offset)."""


@dataclass(slots=True)
class ReadStats:
    """Counters a caller may pass to a reader to learn what an import did.

    Updated each time the reader yields and when it finishes, so they are current
    whenever the caller looks.
    """

    rows: int = 0  # data records read (a record can span several lines)
    entries: int = 0  # RegisterEntry items yielded
    problems: int = 0  # RowProblem items yielded
    skipped: int = 0  # records deliberately ignored: organisations, other professions


@dataclass(frozen=True, slots=True)
class Header:
    """The header row: column names and where the data rows begin."""

    columns: tuple[str, ...]
    end_offset: int

    def index(self, name: str) -> int:
        try:
            return self.columns.index(name)
        except ValueError:
            raise RegisterFormatError(f"the header has no column {name!r}") from None

    def indexes(self, names: list[str]) -> list[int]:
        missing = [name for name in names if name not in self.columns]
        if missing:
            raise RegisterFormatError(f"the header lacks columns: {', '.join(missing)}")
        return [self.columns.index(name) for name in names]


@dataclass(frozen=True, slots=True)
class Dialect:
    """How fields are delimited and quoted; the quote is None for unquoted files."""

    delimiter: str
    quotechar: str | None = '"'


def check_ascii_compatible(encoding: str) -> None:
    """Refuse encodings (UTF-16, UTF-32) in which delimiters are not single bytes.

    The readers split raw bytes on ASCII delimiters and newlines before decoding,
    which is only sound when every ASCII character is the same byte in the file.
    """
    try:
        probe = ',;|\t"\n'.encode(encoding)
    except LookupError:
        raise RegisterFormatError(f"unknown encoding {encoding!r}") from None
    if probe != b',;|\t"\n':
        raise RegisterFormatError(
            f"encoding {encoding!r} is not ASCII-compatible; convert the file to UTF-8"
        )


def strip_eol(line: bytes) -> bytes:
    if line.endswith(b"\r\n"):
        return line[:-2]
    if line.endswith(b"\n"):
        return line[:-1]
    return line


def read_header(handle: BinaryIO, dialect: Dialect, encoding: str) -> Header:
    """Read line 1 as column names. The handle must be at offset 0."""
    raw = handle.readline(MAX_LINE_BYTES)
    if not raw:
        raise RegisterFormatError("the file is empty")
    if not raw.endswith(b"\n") and len(raw) >= MAX_LINE_BYTES:
        raise RegisterFormatError("the first line is too long to be a header")
    end = len(raw)
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        text = strip_eol(raw).decode(encoding)
    except UnicodeDecodeError as exc:
        raise RegisterFormatError(f"the header is not valid {encoding}: {exc.reason}") from None
    if dialect.quotechar is None:
        names = text.split(dialect.delimiter)
    else:
        names = next(csv.reader([text], delimiter=dialect.delimiter, quotechar=dialect.quotechar))
    return Header(tuple(name.strip() for name in names), end)


def seek_start(
    handle: BinaryIO, header: Header, start_offset: int, start_line_no: int | None
) -> Position:
    """Move the handle to where reading starts and return that position.

    Offset 0 means "just after the header". Any other offset must be one a reader
    handed out: at or after the header and right after a newline. The line number
    is counted from the file when the caller did not keep it (a linear scan, a few
    seconds for NPPES), so problem reports still name the right lines.
    """
    if start_offset == 0:
        handle.seek(header.end_offset)
        return Position(header.end_offset, 1)
    if start_offset < header.end_offset:
        raise RegisterFormatError(f"start offset {start_offset} is inside the header")
    handle.seek(start_offset - 1)
    previous = handle.read(1)
    if previous != b"\n":
        raise RegisterFormatError(
            f"start offset {start_offset} is not the start of a line"
            + (" (past the end of the file)" if not previous else "")
        )
    if start_line_no is None:
        start_line_no = _count_newlines(handle, start_offset)
    handle.seek(start_offset)
    return Position(start_offset, start_line_no)


def _count_newlines(handle: BinaryIO, end: int) -> int:
    handle.seek(0)
    count = 0
    remaining = end
    while remaining:
        chunk = handle.read(min(_COUNT_CHUNK, remaining))
        if not chunk:
            break
        count += chunk.count(b"\n")
        remaining -= len(chunk)
    return count


class LongLine(Exception):
    """Raised by `read_line` after it has skipped a line longer than MAX_LINE_BYTES."""

    def __init__(self, consumed: int) -> None:
        super().__init__(f"line longer than {MAX_LINE_BYTES} bytes")
        self.consumed = consumed


def read_line(readline: Callable[[int], bytes]) -> bytes:
    """One physical line, or raise LongLine after discarding an oversized one."""
    line = readline(MAX_LINE_BYTES)
    if len(line) < MAX_LINE_BYTES or line.endswith(b"\n"):
        return line
    consumed = len(line)
    while line and not line.endswith(b"\n"):
        line = readline(MAX_LINE_BYTES)
        consumed += len(line)
    raise LongLine(consumed)


@dataclass(slots=True)
class SlowRecord:
    """Result of parsing one record with the csv module (quoted fields, many lines)."""

    fields: list[bytes] | None
    error: str | None
    extra_bytes: int  # bytes of continuation lines consumed after the first line
    extra_lines: int


def parse_quoted(first: bytes, readline: Callable[[int], bytes], dialect: Dialect) -> SlowRecord:
    """Parse one record that the fast paths could not split, with the csv module.

    The bytes are decoded as Latin-1 only for the parser: it maps every byte to one
    character and back, and the delimiter, quote and newline are ASCII, so the
    fields come back byte-exact in the file's real encoding and are decoded (and
    decode errors reported) by the same code as fast-path fields.

    csv.reader pulls a continuation line only while a quoted field is still open
    and never reads ahead, so the lines consumed here are exactly the record's.
    """
    state = SlowRecord(None, None, 0, 0)

    def lines() -> Iterator[str]:
        yield first.decode("latin-1")
        while True:
            line = read_line(readline)
            if not line:
                return
            state.extra_bytes += len(line)
            state.extra_lines += 1
            yield line.decode("latin-1")

    reader = csv.reader(
        lines(), delimiter=dialect.delimiter, quotechar=dialect.quotechar or '"', strict=True
    )
    try:
        row = next(reader)
    except csv.Error as exc:
        state.error = f"malformed quoting: {exc}"
    except LongLine as exc:
        state.extra_bytes += exc.consumed
        state.extra_lines += 1
        state.error = f"unterminated quoted field ran into a {exc}"
    else:
        state.fields = [field.encode("latin-1") for field in row]
    return state


def open_register(path: StrPath) -> BinaryIO:
    # Unbuffered text layers would cost more than the parsing; a large binary buffer
    # keeps readline() cheap on multi-gigabyte files.
    return open(path, "rb", buffering=1 << 20)


class Record(NamedTuple):
    """One record of a delimited file, split into raw (undecoded) fields."""

    line_no: int  # the record's first physical line
    fields: list[bytes] | None  # None when `error` says why it could not be split
    error: str | None
    end: Position


def split_all_quoted(line: bytes, ncols: int, quote: bytes, separator: bytes) -> list[bytes] | None:
    """Split a record in which every field is quoted and no field holds a quote.

    Exact, not heuristic: when the line starts and ends with a quote, holds exactly
    2*ncols quotes and ncols-1 quote-delimiter-quote separators, every quote belongs
    to a separator or an end, so the pieces between them are the fields verbatim.
    Anything else returns None and goes to the csv module.
    """
    body = strip_eol(line)
    if (
        body.count(quote) != 2 * ncols
        or not body.startswith(quote)
        or not body.endswith(quote)
        or body.count(separator) != ncols - 1
    ):
        return None
    return body[1:-1].split(separator)


def iter_records(
    handle: BinaryIO, start: Position, dialect: Dialect, ncols: int
) -> Iterator[Record]:
    """Split every record after `start`, tracking the position after each one.

    Blank lines are skipped. A record whose field count differs from the header's
    is returned with an error rather than guessed at.
    """
    readline = handle.readline
    offset, line_no = start
    delimiter = dialect.delimiter.encode("ascii")
    quote = dialect.quotechar.encode("ascii") if dialect.quotechar else None
    separator = quote + delimiter + quote if quote else b""
    while True:
        try:
            line = read_line(readline)
        except LongLine as exc:
            offset += exc.consumed
            line_no += 1
            yield Record(line_no, None, str(exc), Position(offset, line_no))
            continue
        if not line:
            return
        first_line = line_no + 1
        offset += len(line)
        line_no += 1
        if len(line) <= 2 and not line.strip():
            continue
        fields: list[bytes] | None
        if quote is None or quote not in line:
            fields = strip_eol(line).split(delimiter)
        else:
            fields = split_all_quoted(line, ncols, quote, separator)
            if fields is None:
                slow = parse_quoted(line, readline, dialect)
                offset += slow.extra_bytes
                line_no += slow.extra_lines
                if slow.fields is None:
                    yield Record(first_line, None, slow.error, Position(offset, line_no))
                    continue
                fields = slow.fields
        if len(fields) != ncols:
            message = f"expected {ncols} fields, found {len(fields)}"
            yield Record(first_line, None, message, Position(offset, line_no))
            continue
        yield Record(first_line, fields, None, Position(offset, line_no))
