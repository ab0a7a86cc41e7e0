"""``curbside registry import``: stream a register file into the database, resumably.

The reader yields one entry at a time with the byte position after it; entries are
upserted in batches of thousands per transaction, and each batch's transaction also
moves the import's checkpoint. An interrupted run leaves a ``running`` import whose
checkpoint says exactly where to go on, and importing the same file again (same
fingerprint) continues there. Only when the whole file has been read are the
members compared with the register, so a truncated file never suspends anyone.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from node.audit.service import record
from node.db.engine import Database
from node.db.types import utcnow
from node.verification.models import ImportStatus, RegisterImport
from node.verification.register_store import (
    RowRefused,
    delete_gone,
    entry_row,
    register_counts,
    upsert_rows,
    upsert_statement,
)
from node.verification.reimport_apply import apply_plan, plan_for
from verification.registers.base import Position, ReadItem, ReadStats, RegisterEntry
from verification.registers.formats import read_register
from verification.reimport import SuspiciousImport

DEFAULT_BATCH_SIZE = 5_000
PROBLEM_SAMPLES = 20
_FINGERPRINT_SPAN = 1 << 20

# Called after every committed batch with (bytes read, rows read); may raise to stop.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    path: Path
    format: str
    register: str
    mapping: Path | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    allow_mass_suspension: bool = False
    actor: str = "cli"


@dataclass(slots=True)
class ImportReport:
    import_id: int
    register: str
    format: str
    file_name: str
    file_size: int
    status: str = ImportStatus.RUNNING.value
    resumed_at_line: int | None = None
    read_again: bool = True  # False when a held import only re-ran the comparison
    rows_before: int = 0  # rows an interrupted run of this import had read already
    rows_read: int = 0
    entries: int = 0
    skipped: int = 0
    problems: int = 0
    problem_samples: list[tuple[int, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    previous_id: int | None = None
    previous_finished_at: datetime | None = None
    suspended: int = 0
    restored: int = 0
    verified_members: int = 0
    seconds: float = 0.0


class MassSuspensionRefused(Exception):
    """The import was read completely but would suspend too many members; it is held."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


def file_fingerprint(path: Path) -> tuple[int, str]:
    """(size, hash of size + first and last MiB): cheap, and a new extract differs."""
    size = path.stat().st_size
    digest = hashlib.sha256(f"{size}:".encode())
    with path.open("rb") as handle:
        digest.update(handle.read(_FINGERPRINT_SPAN))
        if size > _FINGERPRINT_SPAN:
            handle.seek(max(_FINGERPRINT_SPAN, size - _FINGERPRINT_SPAN))
            digest.update(handle.read(_FINGERPRINT_SPAN))
    return size, digest.hexdigest()


async def _latest(session: AsyncSession, register: str, *statuses: str) -> RegisterImport | None:
    query = select(RegisterImport).where(RegisterImport.register == register)
    if statuses:
        query = query.where(RegisterImport.status.in_(statuses))
    return await session.scalar(query.order_by(RegisterImport.id.desc()).limit(1))


def _report(run: RegisterImport, previous: RegisterImport | None) -> ImportReport:
    return ImportReport(
        import_id=run.id,
        register=run.register,
        format=run.format,
        file_name=run.file_name,
        file_size=run.file_size,
        status=run.status,
        rows_read=run.rows_read,
        entries=run.entries,
        skipped=run.skipped,
        problems=run.problems,
        problem_samples=[(int(line), str(message)) for line, message in run.problem_samples],
        previous_id=previous.id if previous else None,
        previous_finished_at=previous.finished_at if previous else None,
    )


def _open_reader(
    options: ImportOptions, offset: int, line_no: int, stats: ReadStats
) -> Iterator[ReadItem]:
    """The reader from a checkpoint, already past its first step.

    The first step reads the header, so a wrong format or a missing column fails
    here, before anything is written.
    """
    items = read_register(
        options.format,
        options.path,
        mapping=options.mapping,
        start_offset=offset,
        start_line_no=line_no if offset else None,
        stats=stats,
    )
    first = next(items, None)

    def chained() -> Iterator[ReadItem]:
        if first is not None:
            yield first
            yield from items

    return chained()


def _read_to_end(run: RegisterImport) -> bool:
    """Whether the file was read completely: held by the mass-suspension guard, or
    interrupted between its last batch and the comparison."""
    done = run.checkpoint_offset > 0 and run.checkpoint_offset >= run.file_size
    return run.status == ImportStatus.HELD or done


async def prepare(
    db: Database, options: ImportOptions
) -> tuple[ImportReport, Iterator[ReadItem] | None, ReadStats]:
    """Check the file, then resume the unfinished import of this very file or start one.

    Returns the reader positioned at the checkpoint, or None when the file has
    been read to the end already and only the comparison remains.
    """
    size, fingerprint = file_fingerprint(options.path)
    async with db.read() as session:
        unfinished = await _latest(
            session, options.register, ImportStatus.RUNNING, ImportStatus.HELD
        )
        previous = await _latest(session, options.register, ImportStatus.COMPLETED)
    resumable = (
        unfinished
        if unfinished is not None
        and unfinished.fingerprint == fingerprint
        and unfinished.format == options.format
        else None
    )
    stats = ReadStats()
    items = None
    if resumable is None:
        items = _open_reader(options, 0, 0, stats)
    elif not _read_to_end(resumable):
        items = _open_reader(options, resumable.checkpoint_offset, resumable.checkpoint_line, stats)
    async with db.write() as session:
        if resumable is not None:
            run = await session.get_one(RegisterImport, resumable.id)
        else:
            if unfinished is not None:
                abandoned = await session.get_one(RegisterImport, unfinished.id)
                abandoned.status = ImportStatus.ABANDONED.value
            run = RegisterImport(
                register=options.register,
                format=options.format,
                file_name=str(options.path.resolve()),
                file_size=size,
                fingerprint=fingerprint,
                status=ImportStatus.RUNNING.value,
                problem_samples=[],
            )
            session.add(run)
            await session.flush()
        report = _report(run, previous)
    if resumable is not None and resumable.checkpoint_offset:
        report.resumed_at_line = resumable.checkpoint_line + 1
    report.rows_before = report.rows_read
    report.read_again = items is not None
    return report, items, stats


@dataclass(slots=True)
class _Batch:
    """One batch of rows and the import's counters as they stand after its last row."""

    rows: list[dict[str, Any]]
    position: Position | None
    rows_read: int
    skipped: int
    entries: int
    problems: int
    problem_samples: list[tuple[int, str]]
    last: bool  # the reader is exhausted: this batch ends the file


class _Collector:
    """Pulls rows from the reader into batches; runs in a worker thread.

    Parsing is pure Python and writing mostly the database's own work, so the
    next batch is parsed while the previous one is written. Each batch carries a
    snapshot of the counters, so a checkpoint never counts rows it does not cover.
    """

    def __init__(
        self,
        items: Iterator[ReadItem],
        options: ImportOptions,
        report: ImportReport,
        stats: ReadStats,
    ) -> None:
        self.items = items
        self.options = options
        self.import_id = report.import_id
        self.stats = stats
        self.base_rows = report.rows_read
        self.base_skipped = report.skipped
        self.entries = report.entries
        self.problems = report.problems
        self.samples = list(report.problem_samples)
        self.position: Position | None = None

    def _problem(self, line_no: int, message: str) -> None:
        self.problems += 1
        if len(self.samples) < PROBLEM_SAMPLES:
            self.samples.append((line_no, message))

    def next_batch(self) -> _Batch:
        rows: dict[str, dict[str, Any]] = {}
        size = self.options.batch_size
        # A for loop over the shared iterator: leaving it early does not close the
        # reader, and the next call continues with the following row.
        for position, item in self.items:
            self.position = position
            if not isinstance(item, RegisterEntry):
                self._problem(item.line_no, item.message)
                continue
            try:
                row = entry_row(self.options.register, self.import_id, item)
            except RowRefused as error:
                self._problem(item.line_no, str(error))
                continue
            # Deduplicated per batch: PostgreSQL refuses to upsert one key twice in
            # one statement, and a register can list a person twice in a row.
            if row["licence_id"] not in rows:
                self.entries += 1
            rows[row["licence_id"]] = row
            if len(rows) >= size:
                return self._batch(rows, last=False)
        return self._batch(rows, last=True)

    def _batch(self, rows: dict[str, dict[str, Any]], *, last: bool) -> _Batch:
        return _Batch(
            rows=list(rows.values()),
            position=self.position,
            rows_read=self.base_rows + self.stats.rows,
            skipped=self.base_skipped + self.stats.skipped,
            entries=self.entries,
            problems=self.problems,
            problem_samples=list(self.samples),
            last=last,
        )


async def _commit(db: Database, statement: Any, report: ImportReport, batch: _Batch) -> None:
    """Write the batch and move the checkpoint past it, in one transaction."""
    values: dict[str, Any] = {
        "rows_read": batch.rows_read,
        "entries": batch.entries,
        "skipped": batch.skipped,
        "problems": batch.problems,
        "problem_samples": [list(sample) for sample in batch.problem_samples],
        "checkpoint_at": utcnow(),
    }
    if batch.position is not None:
        values["checkpoint_offset"], values["checkpoint_line"] = batch.position
    if batch.last:
        # Read to the end (trailing rows may all have been skipped): only the
        # comparison is left, should this run stop before it.
        values["checkpoint_offset"] = report.file_size
    async with db.write_connection() as connection:
        await upsert_rows(connection, statement, batch.rows)
        await connection.execute(
            update(RegisterImport).where(RegisterImport.id == report.import_id).values(**values)
        )
    report.rows_read, report.skipped = batch.rows_read, batch.skipped
    report.entries, report.problems = batch.entries, batch.problems
    report.problem_samples = batch.problem_samples


async def read_into_register(
    db: Database,
    options: ImportOptions,
    report: ImportReport,
    items: Iterator[ReadItem],
    stats: ReadStats,
    progress: Progress | None = None,
) -> None:
    """Upsert every entry in batches, moving the checkpoint with each batch."""
    statement = upsert_statement(db.dialect)
    collector = _Collector(items, options, report, stats)
    batch = await asyncio.to_thread(collector.next_batch)
    while True:
        writing = asyncio.create_task(_commit(db, statement, report, batch))
        following = None
        try:
            if not batch.last:
                following = await asyncio.to_thread(collector.next_batch)
        finally:
            # Never leave a write running behind an error in the reader.
            await writing
        if progress is not None:
            done = (
                report.file_size if batch.last or batch.position is None else batch.position.offset
            )
            progress(done, report.rows_read)
        if following is None:
            return
        batch = following


async def finish(db: Database, options: ImportOptions, report: ImportReport) -> None:
    """Compare members with the complete register and apply it, or hold the import.

    Raises MassSuspensionRefused (after recording the hold) when the plan passes
    the safety limit and the operator did not allow it.
    """
    now = utcnow()
    refused: str | None = None
    async with db.write() as session:
        run = await session.get_one(RegisterImport, report.import_id)
        report.counts = await register_counts(session, options.register, run.id)
        result: dict[str, Any] = dict(report.counts)
        try:
            plan = await plan_for(
                session,
                options.register,
                run.id,
                allow_mass_suspension=options.allow_mass_suspension,
            )
        except SuspiciousImport as error:
            refused = str(error)
            run.status = ImportStatus.HELD.value
            result["refused"] = refused
            action = "register.import.held"
        else:
            applied = await apply_plan(
                session,
                plan,
                register=options.register,
                import_id=run.id,
                actor=options.actor,
                now=now,
            )
            report.suspended, report.restored = applied.suspended, applied.restored
            report.verified_members = applied.verified_before
            result.update(
                suspended=applied.suspended,
                restored=applied.restored,
                verified_members=applied.verified_before,
            )
            await delete_gone(session, options.register, run.id)
            run.status = ImportStatus.COMPLETED.value
            run.finished_at = now
            action = "register.import"
        run.result = result
        report.status = run.status
        record(
            session,
            actor=options.actor,
            action=action,
            subject=f"register:{options.register}",
            reason=refused,
            details={"import": run.id, "format": run.format, "problems": run.problems, **result},
        )
    if refused is not None:
        raise MassSuspensionRefused(refused, report)


async def import_register(
    db: Database, options: ImportOptions, *, progress: Progress | None = None
) -> ImportReport:
    """Import (or resume importing) ``options.path``; see the module docstring."""
    started = time.perf_counter()
    report, items, stats = await prepare(db, options)
    if items is not None:
        await read_into_register(db, options, report, items, stats, progress)
    await finish(db, options, report)
    report.seconds = time.perf_counter() - started
    return report
