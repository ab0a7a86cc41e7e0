"""Curbside benchmarks, run by `make bench`.

Each module in this package that defines ``run() -> dict`` and ``report(results) -> str``
is a benchmark. ``python -m benchmarks`` runs them all (or those named on the command
line), prints each report, writes the raw figures as JSON to
``benchmarks/results/<name>.json`` and regenerates ``docs/benchmarks.md``.
"""
