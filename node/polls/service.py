"""Polls: creating one, voting, tallies, and how a member sees them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.jsonld import as_list, parse_datetime
from node.cases.schemas import PollOptionOut, PollOut
from node.db.types import utcnow
from node.polls.models import Poll, PollOption, PollVote
from node.polls.schemas import PollIn


class VoteRefused(ValueError):
    """The vote cannot count (closed poll, bad choices); the message says why."""


def poll_iri(case_iri: str) -> str:
    return f"{case_iri}#poll"


def create_poll(session: AsyncSession, case_id: int, data: PollIn) -> Poll:
    poll = Poll(
        case_id=case_id,
        question=data.question,
        multiple=data.multiple,
        closes_at=data.closes_at,
        options=[PollOption(position=i, name=name) for i, name in enumerate(data.options)],
    )
    session.add(poll)
    return poll


def check_choices(poll: Poll, choices: list[int], *, now: datetime) -> list[int]:
    if poll.closes_at <= now:
        raise VoteRefused("the poll is closed")
    if len(set(choices)) != len(choices):
        raise VoteRefused("each option may be chosen once")
    if not poll.multiple and len(choices) != 1:
        raise VoteRefused("this poll takes exactly one choice")
    if any(not 0 <= choice < len(poll.options) for choice in choices):
        raise VoteRefused(f"choices are option numbers from 0 to {len(poll.options) - 1}")
    return sorted(choices)


def count_vote(poll: Poll, choices: list[int]) -> None:
    """Add a vote to the tallies (only at the origin, which decides them)."""
    for option in poll.options:
        if option.position in choices:
            option.votes += 1
    poll.voters_count += 1


# Built once: every look at a case runs these.
POLL_OF_CASE = select(Poll).where(Poll.case_id == bindparam("case_id"))
VOTED = select(PollVote.case_id).where(
    PollVote.case_id == bindparam("case_id"), PollVote.member_id == bindparam("member_id")
)


async def poll_of_case(session: AsyncSession, case_id: int) -> Poll | None:
    return await session.scalar(POLL_OF_CASE, {"case_id": case_id})


async def has_voted(session: AsyncSession, case_id: int, member_id: int) -> bool:
    vote = await session.scalar(VOTED, {"case_id": case_id, "member_id": member_id})
    return vote is not None


POLLS_OF_CASES = select(Poll).where(Poll.case_id.in_(bindparam("ids", expanding=True)))
VOTED_IN = select(PollVote.case_id).where(
    PollVote.case_id.in_(bindparam("ids", expanding=True)),
    PollVote.member_id == bindparam("member_id"),
)


async def polls_out(
    session: AsyncSession, case_ids: Sequence[int], member_id: int
) -> dict[int, PollOut]:
    """The polls of a page of cases as ``member_id`` sees them, by case id: one query
    for the page (two more if any case has a poll), not one per case."""
    if not case_ids:
        return {}
    polls = (await session.scalars(POLLS_OF_CASES, {"ids": list(case_ids)})).all()
    if not polls:
        return {}
    ids = [poll.case_id for poll in polls]
    voted = set(await session.scalars(VOTED_IN, {"ids": ids, "member_id": member_id}))
    now = utcnow()
    return {poll.case_id: poll_out(poll, voted=poll.case_id in voted, now=now) for poll in polls}


def poll_out(poll: Poll, *, voted: bool, now: datetime | None = None) -> PollOut:
    closed = poll.closes_at <= (now or utcnow())
    reveal = voted or closed  # results stay hidden until you voted or the poll closed
    return PollOut(
        question=poll.question,
        multiple=poll.multiple,
        closes_at=poll.closes_at,
        closed=closed,
        voters_count=poll.voters_count,
        voted=voted,
        options=[
            PollOptionOut(name=o.name, votes=o.votes if reveal else None) for o in poll.options
        ],
    )


def poll_object(poll: Poll, case_iri: str) -> dict[str, Any]:
    """The poll as an ActivityStreams Question, with the origin's tallies."""
    options = [
        {"type": "Note", "name": o.name, "replies": {"type": "Collection", "totalItems": o.votes}}
        for o in poll.options
    ]
    return {
        "id": poll_iri(case_iri),
        "type": "Question",
        "name": poll.question,
        ("anyOf" if poll.multiple else "oneOf"): options,
        "endTime": poll.closes_at.isoformat().replace("+00:00", "Z"),
        "votersCount": poll.voters_count,
    }


def apply_poll_object(
    session: AsyncSession, case_id: int, poll: Poll | None, obj: dict[str, Any]
) -> Poll:
    """Copy the origin's poll (question, options, tallies) onto ours."""
    multiple = "anyOf" in obj
    raw_options = as_list(obj.get("anyOf") if multiple else obj.get("oneOf"))
    names: list[str] = []
    votes: list[int] = []
    for option in raw_options:
        if not isinstance(option, dict) or not isinstance(option.get("name"), str):
            raise ValueError("poll options must be Notes with a name")
        names.append(option["name"][:200])
        total = (
            option.get("replies", {}).get("totalItems", 0)
            if isinstance(option.get("replies"), dict)
            else 0
        )
        votes.append(total if isinstance(total, int) and total >= 0 else 0)
    if not 2 <= len(names) <= 10:
        raise ValueError("a poll has 2 to 10 options")
    closes_at = parse_datetime(obj.get("endTime"))
    voters = obj.get("votersCount", 0)
    if poll is None:
        poll = Poll(
            case_id=case_id,
            question=str(obj.get("name", ""))[:500],
            multiple=multiple,
            closes_at=closes_at,
            options=[],
        )
        session.add(poll)
    poll.question = str(obj.get("name", poll.question))[:500]
    poll.multiple = multiple
    poll.closes_at = closes_at
    poll.voters_count = voters if isinstance(voters, int) and voters >= 0 else 0
    existing = {option.position: option for option in poll.options}
    for position, (name, count) in enumerate(zip(names, votes, strict=True)):
        option = existing.get(position)
        if option is None:
            poll.options.append(PollOption(position=position, name=name, votes=count))
        else:
            option.name, option.votes = name, count
    return poll
