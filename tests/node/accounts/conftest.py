"""Fixtures of the account tests: a real SMTP server and the browsers a test opens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.node.accounts.support import Browser, Mailbox, free_port
from tests.rig import NodeNetwork, TestNode


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
async def mail_node(network: NodeNetwork, mailbox: Mailbox) -> TestNode:
    return await network.spawn("US", **mailbox.settings())


@pytest.fixture
async def browsers() -> AsyncIterator[list[Browser]]:
    opened: list[Browser] = []
    try:
        yield opened
    finally:
        for browser in opened:
            await browser.close()
