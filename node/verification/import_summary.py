"""The operator's account of an import: one paragraph, then the first malformed rows."""

from __future__ import annotations

from pathlib import Path

from node.verification.importer import ImportReport
from node.verification.models import ImportStatus


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def summary(report: ImportReport) -> str:
    counts = report.counts
    parts = [
        f"Imported the {report.register} register ({report.format}) from "
        f"{Path(report.file_name).name} as import #{report.import_id}"
        + (f", resumed at line {report.resumed_at_line:,}" if report.resumed_at_line else "")
        + "."
    ]
    if report.read_again:
        read_now = report.rows_read - report.rows_before
        rate = read_now / report.seconds if report.seconds else 0.0
        parts.append(
            f"Read {_plural(read_now, 'row')} in {report.seconds:.1f} s ({rate:,.0f} rows/s)"
            + (f", {report.rows_read:,} in all." if report.rows_before else ".")
        )
    else:
        parts.append("The file had been read completely before; only the comparison ran.")
    since = (
        f"since import #{report.previous_id} of {report.previous_finished_at:%Y-%m-%d}"
        if report.previous_id is not None and report.previous_finished_at is not None
        else "(first complete import of this register)"
    )
    parts.append(
        f"The register lists {_plural(counts.get('listed', 0), 'licence')} "
        f"({counts.get('active', 0):,} active, {counts.get('inactive', 0):,} inactive): "
        f"{counts.get('new', 0):,} new, {counts.get('changed', 0):,} changed and "
        f"{counts.get('gone', 0):,} gone {since}."
    )
    parts.append(
        f"{_plural(report.skipped, 'row')} skipped (organisations or other professions), "
        f"{_plural(report.problems, 'malformed row')}."
    )
    if report.status == ImportStatus.HELD:
        parts.append(
            "Members were NOT changed: the import would suspend too many of them. Check "
            "that the file is complete, or run the same command again with "
            "--allow-mass-suspension to apply it."
        )
    else:
        parts.append(
            f"Members: {report.suspended:,} suspended and {report.restored:,} restored, of "
            f"{_plural(report.verified_members, 'verified member')} this register governs."
        )
    return " ".join(parts)


def problem_lines(report: ImportReport) -> list[str]:
    if not report.problem_samples:
        return []
    shown = len(report.problem_samples)
    head = (
        f"Malformed rows (first {shown} of {report.problems:,}):"
        if report.problems > shown
        else "Malformed rows:"
    )
    return [head, *(f"  line {line:,}: {message}" for line, message in report.problem_samples)]
