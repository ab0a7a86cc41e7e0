"""A scan runs on every post. Its speed is measured by `make bench` (benchmarks/deid.py,
docs/benchmarks.md), not here: timings in unit tests fail on a busy machine. These tests
guard against what would be a functional failure: a scan that hangs."""

from __future__ import annotations

import time

import pytest

from benchmarks import deid as bench
from node.deid import scan


@pytest.mark.parametrize("language", ["en", "de", "he", "*"])
def test_a_5000_character_case_is_scanned_whole(language: str) -> None:
    records = bench.load_corpus()
    text = bench.case_text(records, "en" if language == "*" else language)
    assert len(text) == 5000
    findings = scan(text, language)
    assert findings, "the benchmark case is built from labelled snippets"
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert findings[-1].end > 2500, "findings come from the whole text, not a prefix"


def test_no_pathological_backtracking() -> None:
    """Long runs of the characters the patterns repeat must stay linear. The bound is
    a hang detector (catastrophic backtracking takes minutes), far above real timings."""
    nasty = [
        "a" * 5000,
        "1 " * 2500,
        "1." * 2500,
        "A-" * 2500,
        "@" * 5000,
        "x." * 2500,
        ":" * 5000,
        "Herr " * 1000,
        ("12/" * 1666)[:5000],
    ]
    for text in nasty:
        started = time.perf_counter()
        scan(text, "*")
        assert time.perf_counter() - started < 5.0, text[:20]
