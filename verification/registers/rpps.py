"""Reader for France's Annuaire Santé extract "PS_LibreAcces_Personne_activite".

Pipe-delimited UTF-8 with a header and no quoting (a '"' in a site name is just a
character); each line ends with a trailing '|'. Only médecins (Code profession 10)
are kept; every other profession is counted as skipped.

One person has one row per activity (each practice site, each role), so the same
"Identifiant PP" repeats. The extract lists a person's rows together, and the
reader merges each run of consecutive rows into one entry while streaming:

- names come from the first row; a later row with different names is reported as a
  problem and the first spelling kept;
- specialty is the "Libellé savoir-faire" of the best-ranked row: an ordinal
  specialty (type S) over an exclusive competence (CEX) over anything else, the
  first row winning ties;
- every listed person is active (the extract lists current practitioners only;
  leaving the register shows up as "gone" on the next import).

Only consecutive rows are merged: remembering every identifier seen would grow
with the file. A person whose rows are split apart comes out as two entries with
the same licence_id; the node upserts by licence_id, so the later one wins.

Positions handed out mid-person point back to the start of that person's rows, so
resuming never loses part of a merge; at worst a problem is reported twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType

from verification.names import fold
from verification.registers.base import (
    Dialect,
    Header,
    Position,
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

DIALECT = Dialect(delimiter="|", quotechar=None)
PHYSICIAN_PROFESSION = "10"
_SPECIALTY_RANK = MappingProxyType({"S": 0, "CEX": 1})
_WORST_RANK = 9


def read(
    path: StrPath,
    *,
    start_offset: int = 0,
    start_line_no: int | None = None,
    encoding: str = "utf-8",
    stats: ReadStats | None = None,
) -> Iterator[ReadItem]:
    """Yield (position, entry or problem), one entry per médecin."""
    check_ascii_compatible(encoding)
    with open_register(path) as handle:
        header = read_header(handle, DIALECT, encoding)
        layout = _Layout.from_header(header)
        start = seek_start(handle, header, start_offset, start_line_no)
        records = iter_records(handle, start, DIALECT, len(header.columns))
        yield from _merge(records, start, layout, encoding, stats or ReadStats())


@dataclass(frozen=True, slots=True)
class _Layout:
    pp: int
    family: int
    given: int
    profession: int
    profession_label: int
    specialty_kind: int
    specialty: int

    @classmethod
    def from_header(cls, header: Header) -> _Layout:
        return cls(
            *header.indexes(
                [
                    "Identifiant PP",
                    "Nom d'exercice",
                    "Prénom d'exercice",
                    "Code profession",
                    "Libellé profession",
                    "Code type savoir-faire",
                    "Libellé savoir-faire",
                ]
            )
        )


@dataclass(slots=True)
class _Person:
    """A médecin whose rows are still being read."""

    pp: str
    family: str
    given: str
    credential: str
    specialty: str
    rank: int
    line_no: int
    start: Position  # before the person's first row: where a resume must restart

    def entry(self) -> RegisterEntry:
        return RegisterEntry(
            self.pp,
            self.family,
            self.given,
            self.specialty or None,
            self.credential or None,
            True,
            self.line_no,
        )


def _merge(
    records: Iterator[Record],
    start: Position,
    layout: _Layout,
    encoding: str,
    stats: ReadStats,
) -> Iterator[ReadItem]:
    person: _Person | None = None
    before = start  # position before the current record
    for record in records:
        stats.rows += 1
        row = _decode(record, layout, encoding)
        if isinstance(row, RowProblem):
            stats.problems += 1
            yield (person.start if person else record.end), row
        elif row is None:
            stats.skipped += 1
        elif person is not None and row.pp == person.pp:
            problem = _absorb(person, row, record.line_no)
            if problem:
                stats.problems += 1
                yield person.start, problem
        else:
            if person is not None:
                stats.entries += 1
                yield before, person.entry()
            person = _Person(
                row.pp,
                row.family,
                row.given,
                row.credential,
                row.specialty,
                row.rank,
                record.line_no,
                before,
            )
        before = record.end
    if person is not None:
        stats.entries += 1
        yield before, person.entry()


@dataclass(frozen=True, slots=True)
class _Row:
    pp: str
    family: str
    given: str
    credential: str
    specialty: str
    rank: int


def _decode(record: Record, layout: _Layout, encoding: str) -> _Row | RowProblem | None:
    """One activity row, or a problem, or None for another profession."""
    if record.fields is None:
        return RowProblem(record.line_no, record.error or "unreadable row")
    fields = record.fields
    if fields[layout.profession].strip() != PHYSICIAN_PROFESSION.encode():
        return None
    try:
        pp, family, given, label, kind, specialty = (
            fields[n].decode(encoding).strip()
            for n in (
                layout.pp,
                layout.family,
                layout.given,
                layout.profession_label,
                layout.specialty_kind,
                layout.specialty,
            )
        )
    except UnicodeDecodeError as exc:
        return RowProblem(record.line_no, f"not valid {encoding} ({exc.reason})")
    if not pp:
        return RowProblem(record.line_no, "no Identifiant PP")
    if not family:
        return RowProblem(record.line_no, f"PP {pp}: no Nom d'exercice")
    rank = _SPECIALTY_RANK.get(kind, _WORST_RANK) if specialty else _WORST_RANK + 1
    return _Row(pp, family, given, label, specialty, rank)


def _absorb(person: _Person, row: _Row, line_no: int) -> RowProblem | None:
    """Merge another activity row of the same person."""
    if row.rank < person.rank:
        person.specialty, person.rank = row.specialty, row.rank
    if fold(row.family) != fold(person.family) or fold(row.given) != fold(person.given):
        return RowProblem(
            line_no,
            f"PP {row.pp}: name {row.family} {row.given} differs from line "
            f"{person.line_no} ({person.family} {person.given}); kept the first",
        )
    return None
