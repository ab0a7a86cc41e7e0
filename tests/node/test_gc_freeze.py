"""The node's start-up objects are kept out of the collector's full passes while it
runs (each pass over them stopped the event loop for 140-160 ms), and are handed
back when it stops, so that a process running node after node does not keep them."""

from __future__ import annotations

import gc
import weakref

import pytest

from tests.rig import NodeNetwork


@pytest.mark.sqlite_only
async def test_startup_objects_are_frozen_while_the_node_runs(network: NodeNetwork) -> None:
    gc.unfreeze()  # whatever earlier tests left
    node = await network.spawn("US")
    # Catalogs, templates, contexts, compiled SQL: well over 10,000 objects.
    assert gc.get_freeze_count() > 10_000
    await node.stop()
    assert gc.get_freeze_count() == 0


@pytest.mark.sqlite_only
async def test_a_stopped_node_can_be_collected(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    running = node.running
    assert running is not None
    app = weakref.ref(running.app)
    await node.stop()
    del running
    gc.collect()
    # The application refers to itself through its state and routes: only the
    # collector frees it, which it could not do if it had stayed frozen.
    assert app() is None
