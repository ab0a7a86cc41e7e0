"""PostgreSQL: what the planner is given for a search, so that it picks a fast plan.

A search hands PostgreSQL one tsquery holding the member's words as every language
configuration parses them. Copies of the same alternative made the planner take a
rare word for a common one (it adds up their estimates) and walk the whole table;
and the statistics on the tsvector columns must be fine enough that a word outside
the most common ones is estimated as rare (migration 0015).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from node.search.terms import parse
from node.search.tsearch import query_text
from tests.node.search.support import post_case, search, titles
from tests.rig import NodeNetwork

pytestmark = pytest.mark.postgres_only


async def test_each_alternative_is_asked_once_and_every_stem_still_matches(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    await post_case(
        node,
        author,
        title="Nierenversagen bei einem Kleinkind",
        body="Seit drei Tagen keine Urinausscheidung, Kreatinin steigend.",
        question="Welche Ursachen sollten wir zuerst ausschließen?",
        language="de",
    )
    await post_case(node, author, title="Tefuleto syndrome in an infant", body="Rare.")

    async with node.state.db.read() as session:
        rare = await query_text(session, parse("tefuleto"), None)
        german = await query_text(session, parse("Nierenversagen"), None)
    # Every configuration in use parses a made-up word to at most a couple of stems.
    alternatives = [part.strip(" ()") for part in rare.split("|")]
    assert len(alternatives) == len(set(alternatives)) <= 3, rare
    assert "'tefuleto'" in alternatives
    assert "'nierenversag'" in german, german  # the German stem is still asked for

    assert titles(await search(node, author, q="Nierenversagen")) == [
        "Nierenversagen bei einem Kleinkind"
    ]
    assert titles(await search(node, author, q="tefuleto")) == ["Tefuleto syndrome in an infant"]


async def test_the_tsvector_columns_keep_fine_statistics(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    async with node.state.db.read() as session:
        targets = dict(
            (
                await session.execute(
                    text(
                        "SELECT attrelid::regclass::text, attstattarget FROM pg_attribute "
                        "WHERE attname = 'document' AND attrelid IN "
                        "('search_cases'::regclass, 'search_replies'::regclass)"
                    )
                )
            ).all()
        )
    assert targets == {"search_cases": 1000, "search_replies": 1000}
