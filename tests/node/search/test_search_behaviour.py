"""Search across languages, with filters, safe against query syntax, and never
showing what was deleted or edited away."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from node.members.models import Role
from node.search.tables import POSTGRESQL_TRIGGERS, SQLITE_TRIGGERS
from tests.node.search.support import (
    listed,
    marked,
    post_case,
    post_reply,
    resolve,
    search,
    titles,
)
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually

NASTY_QUERIES = [
    '"',
    '"unclosed phrase',
    "NEAR(",
    "NEAR(a b, 2)",
    "*",
    "**",
    "a*b*",
    "'",
    ":*",
    "title:kidney",
    "a & b | !c",
    "<->",
    ")(",
    "AND OR NOT",
    "-",
    "^kidney",
    "\\",
    "%_",
    "{}[]",
    "\ue000\ue001",
    "k" * 200,
]


async def index_holds(node: TestNode, word: str) -> bool:
    """Whether the full-text index itself still holds ``word`` (not just the tables)."""
    db = node.state.db
    async with db.write_connection() as connection:
        if db.is_sqlite:
            total = 0
            for table in ("search_cases", "search_replies"):
                await connection.execute(
                    text(
                        f"CREATE VIRTUAL TABLE temp.vocab_{table} "
                        f"USING fts5vocab(main, {table}, row)"
                    )
                )
                total += (
                    await connection.execute(
                        text(
                            f"SELECT coalesce(sum(doc), 0) FROM temp.vocab_{table} WHERE term = :w"
                        ),
                        {"w": word},
                    )
                ).scalar_one()
                await connection.execute(text(f"DROP TABLE temp.vocab_{table}"))
            return total > 0
        count = 0
        for table in ("search_cases", "search_replies"):
            count += (
                await connection.execute(
                    text(
                        f"SELECT count(*) FROM {table} "
                        "WHERE document @@ plainto_tsquery(config, :w)"
                    ),
                    {"w": word},
                )
            ).scalar_one()
        return count > 0


async def test_languages_stemming_and_diacritics(network: NodeNetwork, db_kind: str) -> None:
    node = await network.spawn("DE", locale="de")
    author = await node.add_member()
    await post_case(
        node,
        author,
        title="Schmerzen in der Niere",
        body="Seit drei Wochen, Urin unauffällig.",
        question="Welche Bildgebung?",
        language="de",
    )
    await post_case(
        node,
        author,
        title="Faiblesse ascendante après une gastro-entérite",
        body="Suspicion de syndrome de Guillain-Barré, ponction lombaire prévue.",
        question="Immunoglobulines ou plasmaphérèse ?",
        language="fr",
    )
    await post_case(
        node,
        author,
        title="כאב ראש כרוני",
        body="מטופלת עם כאב ראש כל בוקר.",
        question="איזו הדמיה?",
        language="he",
    )
    # Exact words, any case, every database.
    assert titles(await search(node, author, q="niere")) == ["Schmerzen in der Niere"]
    assert titles(await search(node, author, q="GUILLAIN-BARRÉ")) != []
    assert titles(await search(node, author, q="כאב")) == ["כאב ראש כרוני"]
    if db_kind == "sqlite":
        # unicode61 with diacritics removed: typing without accents still finds them.
        found = await search(node, author, q="Guillain-Barre plasmapherese")
        assert titles(found) == ["Faiblesse ascendante après une gastro-entérite"]
        assert marked(found["items"][0]["excerpt"]) == ["plasmaphérèse"]
    else:
        # Stemming in the case's language: the plural finds the singular.
        found = await search(node, author, q="Nieren")
        assert titles(found) == ["Schmerzen in der Niere"]
        assert marked(found["items"][0]["title"]) == ["Niere"]
        assert titles(await search(node, author, q="immunoglobuline")) == [
            "Faiblesse ascendante après une gastro-entérite"
        ]
    # The list API's q runs the same search.
    assert await listed(node, author, q="Guillain-Barré") == [
        "Faiblesse ascendante après une gastro-entérite"
    ]


async def test_query_syntax_is_never_an_error(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    await post_case(node, author, title="Kidney stones and NEAR syncope", body="AND a rash.")
    for query in NASTY_QUERIES:
        for path in ("/api/v1/search", "/api/v1/cases"):
            status, body = await node.request("GET", path, token=author.token, params={"q": query})
            assert status == 200, (query, path, body)
    # Operator words are ordinary words.
    assert titles(await search(node, author, q="near")) == ["Kidney stones and NEAR syncope"]
    assert titles(await search(node, author, q="AND rash")) == ["Kidney stones and NEAR syncope"]
    assert titles(await search(node, author, q='kidney "NEAR(')) == [
        "Kidney stones and NEAR syncope"
    ]
    assert (await search(node, author, q='"'))["terms"] == []
    # Too long or missing is a 400 problem, not a crash.
    for params in (
        {"q": "k" * 201},
        {},
        {"q": "x", "cursor": "not-a-cursor"},
        {"q": "x", "limit": "0"},
    ):
        status, problem = await node.request(
            "GET", "/api/v1/search", token=author.token, params=params
        )
        assert status == 400, (params, problem)
        assert problem["type"].endswith("invalid-query")
    # The case list's search pages the same way: a case id does not say where to go on.
    status, problem = await node.request(
        "GET", "/api/v1/cases", token=author.token, params={"q": "x", "before": "abcdefgh"}
    )
    assert status == 400 and problem["type"].endswith("invalid-query"), problem
    # Not syntax: a NUL cannot be typed, and no database takes it (node.api.storable).
    status, problem = await node.request(
        "GET", "/api/v1/search", token=author.token, params={"q": "\u0000"}
    )
    assert (status, problem["type"].rsplit("/", 1)[-1]) == (400, "invalid-url")


async def test_filters_and_pages(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    colleague = await node.add_member()
    await post_case(
        node, author, title="Sarcoidosis, cardiac involvement?", specialties=["cardiology"]
    )
    await post_case(
        node,
        author,
        title="Sarcoidosis of the skin",
        specialties=["dermatology"],
        language="en",
    )
    resolved = await post_case(
        node, author, title="Sarcoidosis relapse", specialties=["pulmonology", "cardiology"]
    )
    reply = await post_reply(node, colleague, resolved["local_id"], "Methotrexate worked for mine.")
    await resolve(node, author, resolved["local_id"], reply["local_id"], found=True)
    await post_case(
        node, author, title="Sarkoidose mit Hautbefall", body="Sarcoidosis", language="de"
    )

    async def found(**params: str) -> list[str]:
        return sorted(titles(await search(node, author, q="sarcoidosis", **params)))

    assert len(await found()) == 4
    assert await found(specialty="cardiology") == [
        "Sarcoidosis relapse",
        "Sarcoidosis, cardiac involvement?",
    ]
    assert await found(status="resolved") == ["Sarcoidosis relapse"]
    assert await found(status="open", specialty="cardiology") == [
        "Sarcoidosis, cardiac involvement?"
    ]
    assert await found(language="de") == ["Sarkoidose mit Hautbefall"]
    assert await found(country="US") == await found()
    assert await found(country="FR") == []
    assert sorted(await listed(node, author, q="sarcoidosis", status="resolved")) == [
        "Sarcoidosis relapse"
    ]
    # Pages: the cursor continues the ranking without repeats.
    seen: list[str] = []
    params = {"q": "sarcoidosis", "limit": "3"}
    first = await search(node, author, **params)
    seen += titles(first)
    assert len(seen) == 3 and first["next"]
    second = await search(node, author, **params, cursor=first["next"])
    seen += titles(second)
    assert second["next"] is None
    assert sorted(seen) == await found()
    status, page = await node.request(
        "GET", "/api/v1/cases", token=author.token, params={**params, "before": first["next"]}
    )
    assert status == 200 and [item["title"] for item in page["items"]] == titles(second)


async def test_deleted_and_edited_text_leaves_the_index(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    colleague = await node.add_member()
    doomed = await post_case(
        node, author, title="Hypophosphatasia suspected", body="Low alkaline phosphatase."
    )
    await post_reply(node, colleague, doomed["local_id"], "Check pyridoxal phosphate levels.")
    kept = await post_case(node, author, title="Osteomalacia", body="Vitamin D deficient.")
    reply = await post_reply(node, colleague, kept["local_id"], "Consider coeliac serology.")
    assert await index_holds(node, "hypophosphatasia")
    assert await index_holds(node, "pyridoxal")

    status, _ = await node.request(
        "DELETE", f"/api/v1/cases/{doomed['local_id']}", token=author.token
    )
    assert status == 204
    assert titles(await search(node, author, q="hypophosphatasia")) == []
    assert titles(await search(node, author, q="pyridoxal")) == []
    assert await listed(node, author, q="phosphatase") == []
    assert not await index_holds(node, "hypophosphatasia")
    assert not await index_holds(node, "pyridoxal")  # its replies went with it

    status, _ = await node.request(
        "PATCH",
        f"/api/v1/cases/{kept['local_id']}",
        token=author.token,
        json={"title": "Osteomalacia with bone pain"},
    )
    assert status == 200
    status, _ = await node.request(
        "PATCH",
        f"/api/v1/replies/{reply['local_id']}",
        token=colleague.token,
        json={"content": "Consider tissue transglutaminase antibodies."},
    )
    assert status == 200
    assert titles(await search(node, author, q="bone pain")) == ["Osteomalacia with bone pain"]
    assert titles(await search(node, author, q="transglutaminase")) == [
        "Osteomalacia with bone pain"
    ]
    assert titles(await search(node, author, q="coeliac")) == []
    assert not await index_holds(node, "coeliac")

    status, _ = await node.request(
        "DELETE", f"/api/v1/replies/{reply['local_id']}", token=colleague.token
    )
    assert status == 204
    assert titles(await search(node, author, q="transglutaminase")) == []


async def test_index_triggers_exist_at_head(network: NodeNetwork) -> None:
    """A later SQLite batch migration that rebuilds cases or replies drops their
    triggers; this fails until that migration recreates them."""
    node = await network.spawn("US")
    db = node.state.db
    async with db.read() as session:
        if db.is_sqlite:
            names = set(
                (
                    await session.execute(
                        text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                    )
                )
                .scalars()
                .all()
            )
            expected = set(SQLITE_TRIGGERS)
        else:
            names = set(
                (
                    await session.execute(
                        text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
                    )
                )
                .scalars()
                .all()
            )
            expected = set(POSTGRESQL_TRIGGERS)
    assert expected <= names


@pytest.mark.slow
async def test_cases_from_peers_are_searchable(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    us_doc = await us.add_member()
    de_doc = await de.add_member()
    await post_case(us, us_doc, title="Erythromelalgia in a teenager", body="Burning feet.")
    remote = await post_case(
        de,
        de_doc,
        title="Erythromelalgie bei einem Kind",
        body="Brennende Füße, Rötung.",
        language="de",
    )

    async def both_found() -> list[str]:
        found = titles(await search(us, us_doc, q="erythromelalg*"))
        return found if len(found) == 2 else []

    await eventually(both_found, what="the German case on the US node")
    assert titles(await search(us, us_doc, q="erythromelalg*", country="DE")) == [
        "Erythromelalgie bei einem Kind"
    ]
    # A reply written on the US node to the German case is relayed back by DE and
    # indexed with the case on both nodes.
    _, listing = await us.request(
        "GET", "/api/v1/cases", token=us_doc.token, params={"country": "DE"}
    )
    us_copy = listing["items"][0]["local_id"]
    await post_reply(us, us_doc, us_copy, "Look for SCN9A variants.")

    async def reply_found_on(node: TestNode, account: Account) -> list[str]:
        return titles(await search(node, account, q="SCN9A"))

    assert await eventually(lambda: reply_found_on(de, de_doc), what="reply indexed on DE") == [
        "Erythromelalgie bei einem Kind"
    ]
    assert await reply_found_on(us, us_doc) == ["Erythromelalgie bei einem Kind"]
    status, _ = await de.request(
        "DELETE", f"/api/v1/cases/{remote['local_id']}", token=de_doc.token
    )
    assert status == 204

    async def gone() -> bool:
        return await reply_found_on(us, us_doc) == []

    await eventually(gone, what="the deleted case leaving the US index")
    assert titles(await search(us, us_doc, q="erythromelalgie")) == []


async def test_posts_a_moderator_hid_are_not_found(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    colleague = await node.add_member()
    moderator = await node.add_member(role=Role.MODERATOR)
    spam = await post_case(node, author, title="Miracle cure for hypertension, buy now")
    case = await post_case(node, author, title="Resistant hypertension at 30")
    reply = await post_reply(node, colleague, case["local_id"], "Cheap pills at pharmacy dot com")

    async def hide(local_id: str) -> None:
        status, filed = await node.request(
            "POST",
            "/api/v1/reports",
            token=colleague.token,
            json={"object": local_id, "reason": "spam"},
        )
        assert status == 201, filed
        status, decided = await node.request(
            "POST",
            f"/api/v1/admin/reports/{filed['id']}/decision",
            token=moderator.token,
            json={"action": "hide", "reason": "Advertising, not a clinical case."},
        )
        assert status == 200, decided

    assert len(titles(await search(node, author, q="hypertension"))) == 2
    assert titles(await search(node, author, q="pharmacy")) == ["Resistant hypertension at 30"]
    await hide(spam["local_id"])
    await hide(reply["local_id"])
    assert titles(await search(node, author, q="hypertension")) == ["Resistant hypertension at 30"]
    assert await listed(node, author, q="miracle") == []
    assert titles(await search(node, author, q="pharmacy")) == []
    (hit,) = (await search(node, author, q="hypertension"))["items"]
    assert hit["replies"] == [] and hit["matching_replies"] == 0
