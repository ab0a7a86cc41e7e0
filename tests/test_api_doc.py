"""docs/api.md lists every problem type the code can answer with: clients switch on
them, so a new one that is not documented fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The ways the code names a problem type: slug="x" (or a class's slug = "x"),
# conflict(detail, "x"), and the verification errors' Refused(status, "x", detail).
PATTERNS = (
    re.compile(r'\bslug\s*=\s*"([a-z][a-z0-9-]*)"'),
    re.compile(r'\bconflict\((?:[^()]|\([^()]*\))*?,\s*"([a-z][a-z0-9-]*)"\s*\)', re.S),
    re.compile(r'Refused\(\s*\d{3},\s*"([a-z][a-z0-9-]*)"'),
)


def problem_types() -> set[str]:
    found: set[str] = set()
    for folder in ("node", "federation", "verification"):
        for path in (ROOT / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            for pattern in PATTERNS:
                found.update(pattern.findall(source))
    return found


def test_every_problem_type_is_documented() -> None:
    documented = set(re.findall(r"`([a-z][a-z0-9-]*)`", (ROOT / "docs" / "api.md").read_text()))
    types = problem_types()
    # The scan itself must keep finding them, or this test would pass on nothing.
    assert {"already-voted", "identifying-details", "own-claim", "bad-signature"} <= types
    assert sorted(types - documented) == []
