"""The figures are computed at most once per ``metrics_max_age_seconds`` and period
length, and viewers who ask at the same moment share one computation."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from node.metrics import service
from tests.node.search.support import post_case
from tests.node.test_web_basics import PASSWORD, sign_in
from tests.rig import NodeNetwork


def count_computations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each computation's period length, as it starts; each one is slowed down, so
    that requests sent together all arrive while the first is still running."""
    started: list[int] = []
    real = service.compute_metrics

    async def counted(session: Any, *, days: int, **kwargs: Any) -> Any:
        started.append(days)
        await asyncio.sleep(0.2)
        return await real(session, days=days, **kwargs)

    monkeypatch.setattr(service, "compute_metrics", counted)
    return started


async def test_viewers_within_a_minute_share_the_figures(
    network: NodeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = count_computations(monkeypatch)
    node = await network.spawn("US")
    member = await node.add_member(password=PASSWORD)

    async def cases(days: int = 30) -> tuple[int, str]:
        status, metrics = await node.request(
            "GET", "/api/v1/metrics", token=member.token, params={"days": str(days)}
        )
        assert status == 200, metrics
        return metrics["node"]["overall"]["cases"], metrics["period"]["until"]

    together = await asyncio.gather(*(cases() for _ in range(10)))
    assert started == [30], "ten viewers at once should cost one computation"
    assert len(set(together)) == 1
    await post_case(node, member, title="Recurrent fevers after travel")
    # A minute has not passed: the same figures, taken before the case was posted.
    assert await cases() == together[0]
    # The page shares them with the API.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        assert await sign_in(node, browser, member.email, PASSWORD) == 302
        async with browser.get(node.base_url + "/metrics") as response:
            assert response.status == 200
    assert started == [30]
    # Another period is computed on its own, and sees the new case.
    assert (await cases(7))[0] == 1
    assert started == [30, 7]


async def test_figures_older_than_the_setting_are_computed_again(
    network: NodeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = count_computations(monkeypatch)
    node = await network.spawn("US", metrics_max_age_seconds=0.5)
    member = await node.add_member()

    async def cases() -> int:
        status, metrics = await node.request("GET", "/api/v1/metrics", token=member.token)
        assert status == 200, metrics
        return int(metrics["node"]["overall"]["cases"])

    assert await cases() == 0
    await post_case(node, member, title="Recurrent fevers after travel")
    await asyncio.sleep(0.6)
    assert await cases() == 1
    assert started == [30, 30]


async def test_a_failed_computation_is_not_kept(
    network: NodeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = await network.spawn("US")
    member = await node.add_member()
    real = service.compute_metrics
    failures = [RuntimeError("the database went away")]

    async def flaky(session: Any, *, days: int, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return await real(session, days=days, **kwargs)

    monkeypatch.setattr(service, "compute_metrics", flaky)
    status, _ = await node.request("GET", "/api/v1/metrics", token=member.token)
    assert status == 500
    status, metrics = await node.request("GET", "/api/v1/metrics", token=member.token)
    assert status == 200, metrics


async def test_many_period_lengths_at_once_compute_two_at_a_time(
    network: NodeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    running, most = [0], [0]
    real = service.compute_metrics

    async def watched(session: Any, *, days: int, **kwargs: Any) -> Any:
        running[0] += 1
        most[0] = max(most[0], running[0])
        try:
            await asyncio.sleep(0.1)
            return await real(session, days=days, **kwargs)
        finally:
            running[0] -= 1

    monkeypatch.setattr(service, "compute_metrics", watched)
    node = await network.spawn("US")
    member = await node.add_member()

    async def period(days: int) -> int:
        status, metrics = await node.request(
            "GET", "/api/v1/metrics", token=member.token, params={"days": str(days)}
        )
        assert status == 200, metrics
        return int(metrics["period"]["days"])

    assert await asyncio.gather(*(period(d) for d in range(1, 9))) == list(range(1, 9))
    assert most[0] == 2
