"""The case-page benchmark, tiny: keeps its code working; asserts no timing."""

from __future__ import annotations

import json

import pytest

from benchmarks import pages
from i18n.languages import SUPPORTED_LANGUAGES


@pytest.mark.slow
def test_pages_benchmark_runs_and_reports() -> None:
    results = pages.run(replies=4, rounds=1, repliers=2)
    json.dumps(results)  # the harness writes it as JSON

    timings = results["timings"]
    assert set(timings["languages"]) == set(SUPPORTED_LANGUAGES)
    assert timings["healthz"]["p50_ms"] > 0
    for figures in timings["languages"].values():
        assert figures["p99_ms"] >= figures["p50_ms"] > 0 and figures["ratio_p50"] > 0
    assert set(results["weights"]) == set(SUPPORTED_LANGUAGES)
    for weight in results["weights"].values():
        # The page links its stylesheet and script, and they were fetched.
        assert any(url.endswith(".css") or ".css?" in url for url in weight["assets"])
        assert any(".js" in url for url in weight["assets"])
        assert weight["total_bytes"] > weight["html_bytes"] > 0

    text = pages.report(results)
    assert "### Case page with 4 replies" in text and "### Case page weight" in text
    for language in SUPPORTED_LANGUAGES:
        assert f"| {language} |" in text
    assert "Target met in every language" in text or "Target missed in" in text
