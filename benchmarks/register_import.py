"""Register import: parsing speed and memory of the NPPES reader on 1,000,000 rows.

Writes an NPPES-shaped file (the real 330-column header and quoting, ~1.1 KB per
row like the real file, a quarter organisations) into a temporary folder, then
parses it in a fresh process per mode so the memory figure is the parser's own:

- "every individual": physicians_only=False, so every individual's row is
  decoded into an entry (the slowest case);
- "physicians only": the default, which also skips other professions.

Speed is data rows read per second of wall time, organisations and all (and per
second of the worker's CPU time, which a busy machine disturbs less). Memory is
peak resident set size from ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` in that
worker process, and its growth over the worker's baseline after imports, which is
what the streaming reader adds (its 1 MiB read buffer and one row at a time).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from verification.registers import nppes, synthetic
from verification.registers.base import ReadStats

ROWS = 1_000_000
TARGET_ROWS_PER_S = 50_000
MODES = (("every individual", False), ("physicians only", True))


def run(rows: int = ROWS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="curbside-bench-") as folder:
        path = Path(folder) / "npidata_pfile.csv"
        started = time.perf_counter()
        synthetic.write_nppes(path, rows, seed=2024)
        generate_seconds = time.perf_counter() - started
        # A fresh interpreter per measurement: ru_maxrss is a high-water mark, and
        # the generator or an earlier benchmark must not set it.
        context = multiprocessing.get_context("spawn")
        with context.Pool(1, maxtasksperchild=1) as pool:
            modes = [
                {"mode": name, **pool.apply(_parse, (str(path), physicians_only))}
                for name, physicians_only in MODES
            ]
        return {
            "rows": rows,
            "file_bytes": path.stat().st_size if path.exists() else 0,
            "generate_seconds": round(generate_seconds, 2),
            "generate_rows_per_s": round(rows / generate_seconds),
            "target_rows_per_s": TARGET_ROWS_PER_S,
            "memory_measure": "resource.getrusage(RUSAGE_SELF).ru_maxrss of a fresh worker",
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "modes": modes,
        }


def _parse(path: str, physicians_only: bool) -> dict[str, Any]:
    """Runs in the worker process: parse the whole file, report speed and memory."""
    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stats = ReadStats()
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in nppes.read(path, physicians_only=physicians_only, stats=stats):
        pass
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows_read": stats.rows,
        "entries": stats.entries,
        "skipped": stats.skipped,
        "problems": stats.problems,
        "seconds": round(seconds, 2),
        "rows_per_s": round(stats.rows / seconds),
        # CPU time too: on a shared machine wall time also measures the neighbours.
        "cpu_rows_per_s": round(stats.rows / cpu_seconds),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "rss_growth_mib": round((peak_kib - baseline_kib) / 1024, 1),
    }


def report(results: dict[str, Any]) -> str:
    size_gb = results["file_bytes"] / 1e9
    lines = [
        f"### Register import (NPPES-shaped, {results['rows']:,} rows, {size_gb:.2f} GB)",
        "",
        "| mode | rows/s (wall) | rows/s (CPU) | seconds | entries | skipped | problems "
        "| peak RSS | RSS growth |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for mode in results["modes"]:
        lines.append(
            f"| {mode['mode']} | {mode['rows_per_s']:,} | {mode['cpu_rows_per_s']:,} "
            f"| {mode['seconds']} | "
            f"{mode['entries']:,} | {mode['skipped']:,} | {mode['problems']:,} | "
            f"{mode['peak_rss_mib']} MiB | {mode['rss_growth_mib']} MiB |"
        )
    slowest = min(mode["rows_per_s"] for mode in results["modes"])
    verdict = "meets" if slowest >= results["target_rows_per_s"] else "MISSES"
    lines += [
        "",
        f"Target {results['target_rows_per_s']:,} rows/s: {verdict} it (slowest mode "
        f"{slowest:,} rows/s; Python {results['python']}, {results['cpus']} CPUs). "
        f"Memory: {results['memory_measure']}. Generating the file took "
        f"{results['generate_seconds']} s ({results['generate_rows_per_s']:,} rows/s).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS)))
