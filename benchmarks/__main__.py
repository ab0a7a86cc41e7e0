"""Run the benchmarks: ``python -m benchmarks [NAME ...]`` (``make bench``).

Prints each benchmark's table, writes its raw figures to
``benchmarks/results/<name>.json`` and rewrites ``docs/benchmarks.md`` from every
result file present, headed with the machine and date of each run.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import benchmarks

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"

INTRO = """# Benchmarks

Measured by `make bench` (`python -m benchmarks`); each section below is rewritten
from `benchmarks/results/<name>.json` when that benchmark runs. The machine is shared
and noisy (2 cores), so where it matters the figures are ratios measured in one run
against a baseline, not absolute times. Targets come from the issues.
"""


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
    }


def discover() -> dict[str, Any]:
    found = {}
    for info in pkgutil.iter_modules(benchmarks.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        if hasattr(module, "run") and hasattr(module, "report"):
            found[info.name] = module
    return found


def write_doc(modules: dict[str, Any]) -> None:
    sections = [INTRO]
    for name in sorted(modules):
        path = RESULTS / f"{name}.json"
        if not path.exists():
            continue
        saved = json.loads(path.read_text())
        where = saved["machine"]
        sections.append(
            f"## {name}\n\n_Run {where['date']} on {where['cpu']} ({where['cores']} cores), "
            f"Python {where['python']}, {where['platform']}._\n\n"
            + modules[name].report(saved["results"]).strip()
            + "\n"
        )
    DOC.write_text("\n".join(sections), encoding="utf-8")


def main(names: list[str]) -> None:
    modules = discover()
    unknown = set(names) - set(modules)
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have {', '.join(modules)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in names or sorted(modules):
        print(f"== {name}", flush=True)
        results = modules[name].run()
        print(modules[name].report(results), flush=True)
        (RESULTS / f"{name}.json").write_text(
            json.dumps({"machine": machine(), "results": results}, indent=2), encoding="utf-8"
        )
    write_doc(modules)
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
