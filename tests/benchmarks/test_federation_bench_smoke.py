"""The federation benchmark, tiny: keeps its code working; asserts no timing."""

from __future__ import annotations

import json

import pytest

from benchmarks import federation


@pytest.mark.slow
def test_federation_benchmark_runs_and_reports() -> None:
    results = federation.run(
        activities=20,
        repetitions=1,
        concurrency=4,
        fanout_peers=3,
        fanout_cases=2,
        backlog=20,
        returning=True,
    )
    json.dumps(results)  # the harness writes it as JSON

    ingest = results["ingest"]
    assert ingest["baseline_per_s"] > 0 and ingest["node_applied_per_s"] > 0
    assert len(ingest["ratios"]) == 1
    assert ingest["cpu_ratio"] > 0 and ingest["client_cpu_ms"] > 0
    fanout = results["fanout"]
    assert fanout["peers"] == 3
    assert all(len(arrivals) == 3 for arrivals in fanout["arrivals_s"])
    assert fanout["all_peers_max_s"] >= fanout["first_peer_median_s"] > 0
    catchup = results["catchup"]
    for path in ("push", "returning", "pull"):
        assert catchup[path]["complete"] and catchup[path]["per_s"] > 0, path

    text = federation.report(results)
    for heading in ("### Inbox ingest", "### Fan-out", "### Catch-up"):
        assert heading in text
    assert results["machine"]["cpu"] in text
    assert "A noisy hour" not in text
    # A run that needs a word of context (a noisy machine) carries it into the report.
    noted = federation.report({**results, "note": "A noisy hour."})
    assert "_A noisy hour._" in noted
