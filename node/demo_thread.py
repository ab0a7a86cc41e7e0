"""The demo's case thread: a paediatric case posted in the US, answered from Germany
(by name) and France (anonymously), with a poll, helpful marks and a resolution.

It runs through the same actions the API uses, so the demo exercises the real
federation: every step after the first waits until the case or thread state has
reached the node that acts next.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from node.cases import actions as case_actions
from node.cases.models import Case, Reply
from node.cases.schemas import CaseIn, ReplyIn, ResolutionIn
from node.db.types import utcnow
from node.members.models import Member
from node.peers.service import add_peer, fetch_node_actor, peer_by_origin
from node.polls import actions as poll_actions
from node.polls.schemas import PollIn, VoteIn
from node.runner import RunningNode

CASE_TITLE = "Three-year-old with fevers every four weeks"
CASE = CaseIn(
    title=CASE_TITLE,
    body=(
        "Previously healthy three-year-old girl. Since the age of two, episodes of fever to "
        "40 °C lasting four days, every 26 to 30 days, with aphthous ulcers, exudative "
        "pharyngitis and tender cervical nodes. Well and thriving between episodes. CRP 85 mg/L "
        "during an episode, normal in between; blood counts normal, no neutropenia on weekly "
        "counts over six weeks. Throat swabs negative for group A streptococcus. A single "
        "dose of prednisolone 1 mg/kg ended the last episode within hours."
    ),
    question=(
        "Is this PFAPA, or should we test for a monogenic periodic fever first? "
        "Would you consider tonsillectomy at this age?"
    ),
    specialties=["pediatrics", "infectious-diseases"],
    language="en",
    audience="federated",  # type: ignore[arg-type]
    age_band="1-4",  # type: ignore[arg-type]
    sex="female",  # type: ignore[arg-type]
)
POLL = (
    "Most likely diagnosis?",
    ["PFAPA", "Familial Mediterranean fever", "Cyclic neutropenia", "Other"],
)
DE_REPLY = (
    "The regularity and the steroid response fit PFAPA well. With fever that regular I would "
    "still send MEFV genetics, and ask about the family's origin, before labelling it."
)
FR_REPLY = (
    "In our clinic colchicine prevented episodes in several PFAPA children who also carried "
    "one MEFV variant. Tonsillectomy works, but I would wait until after the age of four."
)
US_REPLY = (
    "Agree on MEFV. Keep a fever diary: intervals shortening after steroids are typical of PFAPA."
)
RESOLUTION = (
    "MEFV sequencing negative; a fever diary confirmed the cycle. Diagnosed PFAPA; episodes "
    "are treated with single-dose prednisolone and tonsillectomy is planned at age four."
)


async def peer_all(nodes: list[RunningNode]) -> None:
    """Every demo node trusts every other (an operator would compare fingerprints)."""
    for node in nodes:
        runtime = node.state.federation
        for other in nodes:
            if other is node:
                continue
            async with node.state.db.read() as session:
                if await peer_by_origin(session, other.base_url) is not None:
                    continue
            actor = await fetch_node_actor(runtime.http, other.base_url, runtime.signing_key)
            async with node.state.db.write() as session:
                await add_peer(session, actor, own_origin=node.base_url, actor_label="demo")
        runtime.catchup.wake.set()


async def _member(node: RunningNode, email: str) -> Member:
    async with node.state.db.read() as session:
        member = await session.scalar(select(Member).where(Member.email == email))
    assert member is not None, email
    return member


async def _wait_for(node: RunningNode, what: str, probe: Any, within: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        async with node.state.db.read() as session:
            found = await probe(session)
        if found:
            return found
        await asyncio.sleep(0.2)
    raise TimeoutError(f"the demo thread did not reach {node.base_url}: {what}")


async def seed_thread(nodes: list[RunningNode], emails: dict[str, list[str]]) -> None:
    us, de, fr = nodes
    async with us.state.db.read() as session:
        if await session.scalar(select(Case).where(Case.title == CASE_TITLE)) is not None:
            return  # an earlier run with the same data folder seeded it already
    author = await _member(us, emails["US"][0])
    us_colleague = await _member(us, emails["US"][1])
    de_doctor = await _member(de, emails["DE"][0])
    fr_doctor = await _member(fr, emails["FR"][1])

    case = await case_actions.post_case(us.state, author, CASE)
    await poll_actions.add_poll(
        us.state,
        author,
        case.local_id,
        PollIn(question=POLL[0], options=POLL[1], closes_at=utcnow() + timedelta(days=7)),
    )

    async def arrived(session: Any) -> Case | None:
        return await session.scalar(select(Case).where(Case.iri == case.id))

    de_case = await _wait_for(de, "the case", arrived)
    fr_case = await _wait_for(fr, "the case", arrived)
    de_reply = await case_actions.post_reply(
        de.state, de_doctor, de_case.local_id, ReplyIn(content=DE_REPLY)
    )
    await case_actions.post_reply(
        fr.state, fr_doctor, fr_case.local_id, ReplyIn(content=FR_REPLY, anonymous=True)
    )
    await case_actions.post_reply(us.state, us_colleague, case.local_id, ReplyIn(content=US_REPLY))

    async def relayed(session: Any) -> Reply | None:
        return await session.scalar(select(Reply).where(Reply.iri == de_reply.id))

    await _wait_for(us, "the German reply", relayed)
    await _wait_for(fr, "the German reply", relayed)
    await poll_actions.vote(de.state, de_doctor, de_case.local_id, VoteIn(choices=[0]))
    await poll_actions.vote(us.state, us_colleague, case.local_id, VoteIn(choices=[0]))
    await poll_actions.vote(fr.state, fr_doctor, fr_case.local_id, VoteIn(choices=[1]))
    async with us.state.db.read() as session:
        german = await session.scalar(select(Reply).where(Reply.iri == de_reply.id))
    assert german is not None
    await case_actions.mark_helpful(us.state, author, german.local_id)
    await case_actions.resolve_case(
        us.state,
        author,
        case.local_id,
        ResolutionIn(accepted_reply=german.local_id, summary=RESOLUTION, found_what_needed=True),
    )

    async def settled(session: Any) -> bool:
        copy = await session.scalar(select(Case).where(Case.iri == case.id))
        return copy is not None and copy.status == "resolved" and copy.reply_count == 3

    # Print the logins only once every node shows the finished thread.
    await _wait_for(de, "the resolution", settled)
    await _wait_for(fr, "the resolution", settled)
