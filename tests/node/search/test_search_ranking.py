"""Full-text search finds cases by their own text and by their replies, best first."""

from __future__ import annotations

from tests.node.search.support import marked, post_case, post_reply, search, titles
from tests.rig import NodeNetwork


async def test_ranking_title_over_question_over_history_over_reply(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(specialty="nephrology")
    colleague = await node.add_member()
    await post_case(
        node,
        author,
        title="Recurrent syncope in a runner",
        body="Collapsed twice after races; ECG unremarkable.",
        question="Anything beyond hypertrophic cardiomyopathy to exclude?",
    )
    in_reply = await post_case(
        node, author, title="Leg swelling after a long flight", body="Unilateral, painful."
    )
    await post_reply(
        node,
        colleague,
        in_reply["local_id"],
        "Ultrasound first: a thrombosis until proven otherwise.",
    )
    await post_case(
        node,
        author,
        title="Thrombosis of the portal vein in a young woman",
        body="Abdominal pain, no cirrhosis.",
    )
    await post_case(
        node,
        author,
        title="Chest pain at rest",
        body="Troponin normal; history of a deep vein thrombosis last year.",
    )
    await post_case(node, author, title="Nothing relevant", body="Eczema since childhood.")

    results = await search(node, author, q="thrombosis")
    assert titles(results) == [
        "Thrombosis of the portal vein in a young woman",
        "Chest pain at rest",
        "Leg swelling after a long flight",
    ]
    first, history_hit, reply_hit = results["items"]
    assert marked(first["title"]) == ["Thrombosis"]
    assert "thrombosis" in [word.lower() for word in marked(history_hit["excerpt"])]
    # Found through its reply: the reply is shown, with the word marked.
    assert reply_hit["matching_replies"] == 1
    assert marked(reply_hit["replies"][0]["excerpt"]) == ["thrombosis"]
    assert reply_hit["replies"][0]["author"]["anonymous"] is False
    assert marked(reply_hit["title"]) == []
    scores = [item["score"] for item in results["items"]]
    assert scores == sorted(scores, reverse=True)


async def test_every_word_must_match_and_phrases_keep_their_order(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    await post_case(
        node, author, title="Acute kidney injury after contrast", body="Creatinine doubled."
    )
    await post_case(
        node, author, title="Kidney cyst, acute flank pain", body="Bosniak classification?"
    )
    assert titles(await search(node, author, q="acute kidney")) != []
    assert len(titles(await search(node, author, q="acute kidney"))) == 2
    assert titles(await search(node, author, q='"acute kidney"')) == [
        "Acute kidney injury after contrast"
    ]
    assert titles(await search(node, author, q="kidney contrast")) == [
        "Acute kidney injury after contrast"
    ]
    assert titles(await search(node, author, q="kidney zebra")) == []
    # A word ending in * matches words that start with it.
    assert len(titles(await search(node, author, q="creat*"))) == 1
    assert titles(await search(node, author, q="creat")) == []


async def test_matching_replies_of_a_case_are_listed_and_capped(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member()
    colleague = await node.add_member()
    case = await post_case(node, author, title="Fever of unknown origin", body="Three weeks.")
    for text in (
        "Consider brucellosis if there was unpasteurised cheese.",
        "Brucellosis serology, and blood cultures held for three weeks.",
        "Brucellosis is rare here; think of endocarditis first.",
        "Brucellosis, brucellosis: ask about travel and farms.",
        "Temporal arteritis at that age?",
    ):
        await post_reply(node, colleague, case["local_id"], text, anonymous=True)
    results = await search(node, author, q="brucellosis")
    (hit,) = results["items"]
    assert hit["matching_replies"] == 4
    assert len(hit["replies"]) == 3
    assert all(reply["author"]["anonymous"] for reply in hit["replies"])
    assert all(reply["author"].get("name") is None for reply in hit["replies"])
