"""Start the slowest tests first, one worker each, so none of them is the tail of a run.

pytest-xdist hands each worker a first chunk of consecutive tests (a quarter of its
share), then more consecutive tests as it runs low. The slowest tests sat next to each
other late in the collection (the peers CLI, two processes per node, the 46-doctor
thread: about 410 s together), so one worker got them in one chunk near the end and
the run waited for it. Here each goes to the head of a first chunk, the longest first,
to the worker with the least work so far.

The seconds are the durations CI printed (``--durations``, 2026-11-27); a test not
listed counts as quick. A new slow test only costs time, never correctness.
"""

from __future__ import annotations

import os

import pytest

SLOW_SECONDS = {
    "tests/node/test_thread_at_scale.py::test_a_46_doctor_thread_across_10_nodes": 170,
    "tests/node/test_multiprocess.py::test_two_processes_per_node_deliver_and_apply": 79,
    "tests/node/test_peers_cli.py::test_add_shows_the_fingerprint_and_trust": 72,
    "tests/node/verification/test_registry_cli.py::test_bad_arguments_are_one_line": 61,
    "tests/node/test_peers_cli.py::test_remove_stops_delivery_at_once": 58,
    "tests/node/test_peers_cli.py::test_add_refuses_wrong_keys_itself": 55,
    "tests/benchmarks/test_federation_bench_smoke.py::test_federation_benchmark": 51,
    "tests/browser/test_journey.py::test_sign_up_verify_post_reply_in_german": 41,
    "tests/node/test_demo_and_docker.py::test_demo_runs_three_nodes": 28,
    "tests/benchmarks/test_pages_bench_smoke.py::test_pages_benchmark": 27,
}


def _seconds(item: pytest.Item) -> int:
    return next((s for prefix, s in SLOW_SECONDS.items() if item.nodeid.startswith(prefix)), 0)


def slowest_first(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """``items`` reordered for ``workers`` xdist workers (load scheduling)."""
    if workers < 2:
        return items
    slow = sorted((item for item in items if _seconds(item)), key=_seconds, reverse=True)
    if not slow:
        return items
    heads: list[list[pytest.Item]] = [[] for _ in range(workers)]
    load = [0] * workers
    for item in slow:
        least = load.index(min(load))
        heads[least].append(item)
        load[least] += _seconds(item)
    chosen = {id(item) for item in slow}
    rest = [item for item in items if id(item) not in chosen]
    # xdist's first chunk per worker: a quarter of its share, at least 2 (load.py).
    chunk = max((len(items) // workers) // 4, 2)
    ordered: list[pytest.Item] = []
    for head in heads:
        ordered += head
        take = max(chunk - len(head), 0)
        ordered += rest[:take]
        del rest[:take]
    return ordered + rest


def worker_count() -> int:
    """Workers of this run, as xdist tells each of them (0 without xdist)."""
    return int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
