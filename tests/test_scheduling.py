"""The slowest tests go to the heads of the workers' first chunks, and no test is lost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from tests.scheduling import slowest_first


@dataclass
class Item:
    nodeid: str


SCALE = "tests/node/test_thread_at_scale.py::test_a_46_doctor_thread_across_10_nodes[sqlite]"
PROCESSES = "tests/node/test_multiprocess.py::test_two_processes_per_node_deliver_and_apply_x"
PEERS = "tests/node/test_peers_cli.py::test_add_shows_the_fingerprint_and_trust_x"


def test_each_slow_test_heads_a_first_chunk() -> None:
    quick = [Item(f"tests/test_{n}.py::test_quick") for n in range(200)]
    items = [*quick[:150], Item(PROCESSES), Item(PEERS), Item(SCALE), *quick[150:]]
    ordered = cast(list[Item], slowest_first(cast(list[Any], items), 4))
    assert sorted(i.nodeid for i in ordered) == sorted(i.nodeid for i in items)
    chunk = (len(items) // 4) // 4  # what xdist sends each worker first
    heads = [ordered[k * chunk].nodeid for k in range(4)]
    assert heads[:3] == [SCALE, PROCESSES, PEERS]
    # The quick tests keep their order.
    assert [i for i in ordered if i in quick] == quick


def test_without_workers_nothing_moves() -> None:
    items = [Item("tests/test_a.py::test_a"), Item(SCALE)]
    assert slowest_first(cast(list[Any], items), 0) == items
