"""Prefix search ("nephr*"): whatever the prefix's length, it finds cases by their own
words and by their replies' words, on both databases. On SQLite the replies' index
keeps prefix indexes for three to five letters (migration 0016), which is what keeps
such a query from reading every word's posting list on a big node."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.node.search.support import post_case, post_reply, search, titles
from tests.rig import NodeNetwork


async def test_a_prefix_of_any_length_finds_case_and_reply_words(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    colleague = await node.add_member()
    by_reply = await post_case(node, author, title="Oedema and foamy urine", body="Adult.")
    await post_reply(node, colleague, by_reply["local_id"], "Think of glomerulonephritis.")
    await post_case(node, author, title="Glomerular disease in a child", body="Haematuria.")
    await post_case(node, author, title="Unrelated fracture", body="Fell from a bicycle.")

    for prefix in ("glo", "glom", "glome", "glomer", "glomerul"):
        found = titles(await search(node, author, q=f"{prefix}*"))
        assert sorted(found) == ["Glomerular disease in a child", "Oedema and foamy urine"], prefix
    assert titles(await search(node, author, q="glomeruloneph*")) == ["Oedema and foamy urine"]
    assert titles(await search(node, author, q="bicy*")) == ["Unrelated fracture"]


@pytest.mark.sqlite_only
async def test_the_replies_index_keeps_prefix_indexes(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    async with node.state.db.read() as session:
        definition = await session.scalar(
            text("SELECT sql FROM sqlite_master WHERE name = 'search_replies'")
        )
    assert "prefix='3 4 5'" in str(definition)
