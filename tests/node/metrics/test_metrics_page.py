"""The /metrics page: figures in a table, accessible SVG charts, a period to choose."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
import pytest

from node.db.types import utcnow
from node.metrics.charts import nice_ceiling, stacked_bars
from tests.node.metrics.support import Thread, build
from tests.node.test_web_basics import sign_in
from tests.rig import NodeNetwork

PASSWORD = "correct horse battery"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def test_stacked_bars_geometry() -> None:
    chart = stacked_bars(["a", "b", "c"], [[1, 0, 3], [2, 5, 0]])
    assert [bar.total for bar in chart.bars] == [3, 5, 3]
    assert chart.ticks[-1].value == nice_ceiling(5) == 8
    first = chart.bars[0]
    # Pieces stack bottom-up: the second series sits on the first.
    assert first.pieces[0].y + first.pieces[0].height == pytest.approx(chart.bottom)
    assert first.pieces[1].y + first.pieces[1].height == pytest.approx(first.pieces[0].y)
    full = (chart.bottom - chart.top) * 5 / 8
    assert sum(p.height for p in chart.bars[1].pieces) == pytest.approx(full)
    assert chart.bars[0].x < chart.bars[1].x < chart.bars[2].x
    empty = stacked_bars(["x"], [[0], [0]])
    assert empty.ticks[-1].value == 4 and all(p.height == 0 for p in empty.bars[0].pieces)
    with pytest.raises(ValueError, match="one value per label"):
        stacked_bars(["a", "b"], [[1]])


async def test_metrics_page(network: NodeNetwork) -> None:
    node = await network.spawn("DE", locale="de")
    reader = await node.add_member(password=PASSWORD)
    await build(
        node,
        [
            Thread(age=2 * DAY, replies=[HOUR / 2], resolved_after=DAY, found=True),
            Thread(age=9 * DAY, replies=[5 * HOUR], network_views=3),
            Thread(age=DAY, replies=[HOUR], local=False),
            Thread(age=3 * DAY),
        ],
        now=utcnow(),
    )
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(node.base_url + "/metrics", allow_redirects=False) as response:
            assert response.status == 302
        assert await sign_in(node, browser, reader.email, PASSWORD) == 302
        async with browser.get(node.base_url + "/metrics") as response:
            assert response.status == 200
            html = await response.text()
        # Two charts, each an image with a title and a description, and a table twin.
        assert html.count('role="img"') == 2
        for chart in ("chart-weekly", "chart-waits"):
            assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
            assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
        assert html.count('<table class="metrics-table">') == 3
        assert len(re.findall(r'<rect class="chart-series-[01]"', html)) >= 4
        # Figures in the reader's language (the node default here is German).
        assert '<html lang="de"' in html
        assert "33\u00a0%" in html  # one of the three cases posted here was resolved
        assert '<option value="30" selected>' in html
        assert "style=" not in html  # the page's CSP forbids inline styles
        async with browser.get(node.base_url + "/metrics", params={"days": "7"}) as response:
            html = await response.text()
            assert '<option value="7" selected>' in html
        async with browser.get(node.base_url + "/metrics", params={"days": "-3"}) as response:
            html = await response.text()
            assert response.status == 200
            assert '<option value="30" selected>' in html
            assert 'class="notice"' in html
