"""Starting and stopping a node's federation runtime: HTTP client, pipeline, workers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import aiohttp

from federation.inbound.pipeline import InboundPipeline
from federation.inbound.registry import ActivityHandler, HandlerRegistry
from federation.origin import origin_of
from federation.rotation import historical_keys
from federation.transport import DEFAULT_TIMEOUT, SigningKey
from node import __version__
from node.cases.media import media_fetcher
from node.cases.view_counts import view_reporter
from node.db.types import utcnow
from node.inbox.context import ApplyContext
from node.inbox.forget import forget_applied_bodies
from node.inbox.handoff import FreshActivities
from node.inbox.store import InboxStore, forget_expired_signatures
from node.inbox.worker import InboxWorker
from node.logs import NodeLogger
from node.members.attestation import attestation_job
from node.notifications.digest import digest_job
from node.outbox.catchup import CatchUp
from node.outbox.worker import DeliveryWorker
from node.peers.directory import ProofKeys
from node.peers.keys import CachedPeerKeys, PeerKeys
from node.state import NodeState
from node.verification.documents import purge_expired_documents

JANITOR_SECONDS = 600.0
RESTART_PAUSE_SECONDS = 5.0
STOP_SECONDS = 10.0


@dataclass
class FederationRuntime:
    http: aiohttp.ClientSession
    signing_key: SigningKey
    keys: PeerKeys
    pipeline: InboundPipeline[ApplyContext]
    inbox_worker: InboxWorker
    inbox_store: InboxStore
    delivery: DeliveryWorker
    catchup: CatchUp
    proof_keys: ProofKeys
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def delivery_due(self) -> None:
        """Something was published: deliver now rather than at the next poll."""
        self.delivery.wake.set()


async def _supervised(state: NodeState, name: str, work: Callable[[], Awaitable[None]]) -> None:
    """Keep a worker alive: a crash (a database hiccup, a bug) is logged with its
    traceback and the worker starts again after a pause, instead of dying silently
    and leaving activities unapplied or undelivered until the next restart."""
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:  # supervisor boundary: logged with its traceback
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # Stopping, and the worker's clean-up failed (say, the database is
                # already gone): restarting it would keep the node from stopping.
                state.log.exception("worker failed while stopping", extra={"worker": name})
                raise asyncio.CancelledError from None
            state.log.exception("worker crashed; restarting", extra={"worker": name})
            await asyncio.sleep(RESTART_PAUSE_SECONDS)


async def _janitor(state: NodeState) -> None:
    """Housekeeping: expired replay records, the JSON of activities applied a day ago,
    verification documents past retention."""
    while True:
        await forget_expired_signatures(state.db)
        await forget_applied_bodies(state.db, utcnow())
        purged = await purge_expired_documents(state.db, state.config.data_dir, utcnow())
        if purged:
            state.log.info("deleted %d verification documents past their retention period", purged)
        await asyncio.sleep(JANITOR_SECONDS)


async def _relay_recoveries(runtime: FederationRuntime) -> None:
    """When a failing peer answers again, look at its outbox too."""
    while True:
        await runtime.delivery.peer_recovered.wait()
        runtime.delivery.peer_recovered.clear()
        runtime.catchup.wake.set()


async def start_federation(
    state: NodeState, handlers: Iterable[ActivityHandler[ApplyContext]], *, workers: bool = True
) -> FederationRuntime:
    base_url = state.config.base_url
    http = aiohttp.ClientSession(
        timeout=DEFAULT_TIMEOUT,
        headers={"User-Agent": f"Curbside/{__version__} (+{base_url})"},
        raise_for_status=False,
    )
    signing_key = SigningKey(key_id=state.key.key_id(base_url), private_key=state.key.private_key)
    registry = HandlerRegistry.of(handlers)
    keys = PeerKeys(state.db, http, signing_key, state.log)
    # The inbox checks signatures with keys kept in memory; InboxStore confirms them.
    inbox_keys = CachedPeerKeys(keys)
    pipeline = InboundPipeline(keys=inbox_keys, registry=registry, local_origin=origin_of(base_url))
    fresh = FreshActivities()
    inbox_worker = InboxWorker(state, registry, fresh)
    runtime = FederationRuntime(
        http=http,
        signing_key=signing_key,
        keys=keys,
        pipeline=pipeline,
        inbox_worker=inbox_worker,
        inbox_store=InboxStore(state.db, inbox_keys, fresh),
        delivery=DeliveryWorker(state, signing_key),
        catchup=CatchUp(state, pipeline, signing_key, inbox_worker.wake),
        proof_keys=ProofKeys(
            state.db,
            http,
            signing_key,
            historical_keys(
                current_key_id=signing_key.key_id,
                current_key=state.key.public_key,
                statements=state.key_rotations,
            ),
            state.log,
        ),
    )
    if workers:
        jobs: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("inbox", inbox_worker.run),
            ("delivery", runtime.delivery.run),
            ("catch-up", runtime.catchup.run),
            ("recoveries", lambda: _relay_recoveries(runtime)),
            ("janitor", lambda: _janitor(state)),
            ("views", lambda: view_reporter(state)),
            ("images", lambda: media_fetcher(state)),
            ("attestations", lambda: attestation_job(state)),
            ("digest", lambda: digest_job(state)),
        ]
        for name, work in jobs:
            runtime.tasks.append(
                asyncio.create_task(
                    _supervised(state, name, work), name=f"{state.config.domain} {name}"
                )
            )
    return runtime


async def stop_federation(runtime: FederationRuntime, log: NodeLogger) -> None:
    for task in runtime.tasks:
        task.cancel()
    # Bounded: a worker that does not stop (a driver call that never returns, a lost
    # cancellation) must not keep the node from shutting down. It is named in the
    # log and left behind; what it had claimed is taken up again when leases expire.
    if runtime.tasks:
        _, stuck = await asyncio.wait(runtime.tasks, timeout=STOP_SECONDS)
        for task in stuck:
            log.error("worker did not stop in time", extra={"worker": task.get_name()})
    # Bounded too: the batch being stored needs the writer connection, which a worker
    # left behind above may still hold. Its senders then get no answer and send again.
    try:
        async with asyncio.timeout(STOP_SECONDS):
            await runtime.inbox_store.close()
    except TimeoutError:
        log.error("inbox store did not finish its batch in time")
    await runtime.http.close()
