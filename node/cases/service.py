"""Creating, reading and listing cases."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, raiseload
from sqlalchemy.orm.attributes import set_committed_value

from federation.origin import origin_of
from node.cases.models import Attachment, Case, CaseSpecialty, Reply, Tombstone
from node.cases.schemas import AuthorOut, CaseIn, CaseList, CaseOut, CaseQuery
from node.db.types import utcnow
from node.events import CaseCreated, record_event
from node.members.models import Member
from node.members.pseudonyms import pseudonym_for, pseudonym_iri
from node.polls.service import polls_out
from node.search.query import Filters, is_sqlite, ranked_page
from node.search.terms import parse as parse_terms


def new_local_id() -> str:
    """16 random base32 characters: unguessable, and no hint of how many cases exist."""
    return base64.b32encode(secrets.token_bytes(10)).decode().lower()


@dataclass(frozen=True)
class Author:
    """Who a new local post is attributed to, as it may be shown and federated."""

    iri: str
    anonymous: bool
    name: str | None
    pseudonym: str | None
    specialty: str
    country: str


def author_for(
    member: Member, *, anonymous: bool, thread_iri: str, base_url: str, country: str, secret: bytes
) -> Author:
    if anonymous:
        pseudonym = pseudonym_for(secret, member.public_id, thread_iri)
        return Author(
            iri=pseudonym_iri(base_url, pseudonym),
            anonymous=True,
            name=None,
            pseudonym=pseudonym,
            specialty=member.specialty,
            country=country,
        )
    return Author(
        iri=f"{base_url}/members/{member.public_id}",
        anonymous=False,
        name=member.name,
        pseudonym=None,
        specialty=member.specialty,
        country=country,
    )


async def create_local_case(
    session: AsyncSession,
    *,
    member: Member,
    data: CaseIn,
    base_url: str,
    country: str,
    secret: bytes,
) -> Case:
    local_id = new_local_id()
    iri = f"{base_url}/cases/{local_id}"
    author = author_for(
        member,
        anonymous=data.anonymous,
        thread_iri=iri,
        base_url=base_url,
        country=country,
        secret=secret,
    )
    case = Case(
        iri=iri,
        local_id=local_id,
        origin=base_url,
        is_local=True,
        author_iri=author.iri,
        author_member_id=member.id,
        anonymous=author.anonymous,
        author_name=author.name,
        author_pseudonym=author.pseudonym,
        author_specialty=author.specialty,
        author_country=author.country,
        title=data.title,
        body=data.body,
        question=data.question,
        language=data.language,
        audience=data.audience.value,
        age_band=data.age_band.value if data.age_band else None,
        sex=data.sex.value if data.sex else None,
        created_at=utcnow(),
        specialties=[
            CaseSpecialty(code=code, position=i) for i, code in enumerate(data.specialties)
        ],
        attachments=[],  # set, so reading it never triggers a lazy load on the new case
    )
    session.add(case)
    await session.flush()
    record_event(session, CaseCreated(case.id))
    return case


def author_out(post: Case | Reply) -> AuthorOut:
    """How the author of a case or reply is shown: never a name for anonymous posts."""
    return AuthorOut(
        anonymous=post.anonymous,
        name=None if post.anonymous else post.author_name,
        pseudonym=post.author_pseudonym if post.anonymous else None,
        specialty=post.author_specialty,
        country=post.author_country,
        # The author's node attests its members; it is the node the author IRI is on.
        verified_by=origin_of(post.author_iri),
        status=post.author_status,
    )


def case_out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.iri,
        local_id=case.local_id,
        origin=case.origin,
        title=case.title,
        body=case.body,
        question=case.question,
        specialties=case.specialty_codes,
        language=case.language,
        audience=case.audience,  # type: ignore[arg-type]
        age_band=case.age_band,
        sex=case.sex,
        status=case.status,  # type: ignore[arg-type]
        reply_count=case.reply_count,
        created_at=case.created_at,
        author=author_out(case),
    )


def _live() -> Select[Case]:
    """Cases members may see: not deleted, not hidden by this node's moderators."""
    return select(Case).where(Case.deleted_at.is_(None), Case.hidden_at.is_(None))


# The ORM's "selectin" loader cost a third of a page of the feed in bookkeeping; a
# plain query for the page's specialties costs a fraction of that. Built once.
SPECIALTIES_OF_CASES = (
    select(CaseSpecialty)
    .where(CaseSpecialty.case_id.in_(bindparam("ids", expanding=True)))
    .order_by(CaseSpecialty.case_id, CaseSpecialty.position)
)


async def listed_cases(session: AsyncSession, statement: Select[Case]) -> list[Case]:
    """The cases ``statement`` selects, to be shown as summaries (``case_out``): each
    with its specialties, read in one query for all; and no images, which summaries
    do not show (reading them raises)."""
    listing = statement.options(raiseload(Case.attachments), raiseload(Case.specialties))
    cases = list((await session.scalars(listing)).all())
    if not cases:
        return cases
    by_case: dict[int, list[CaseSpecialty]] = {case.id: [] for case in cases}
    for item in await session.scalars(SPECIALTIES_OF_CASES, {"ids": list(by_case)}):
        by_case[item.case_id].append(item)
    for case in cases:
        set_committed_value(case, "specialties", by_case[case.id])
    return cases


async def get_case(session: AsyncSession, local_id: str) -> Case | None:
    return await session.scalar(_live().where(Case.local_id == local_id))


# Built once: every look at a case runs them (building a statement costs about as
# much as running it). The images are read by a plain query rather than the ORM's
# "selectin" loader, whose bookkeeping cost more than the query itself.
CASE_TO_SHOW = (
    _live()
    .where(Case.local_id == bindparam("local_id"))
    .options(joinedload(Case.specialties), raiseload(Case.attachments))
)
IMAGES_OF_CASE = (
    select(Attachment).where(Attachment.case_id == bindparam("case_id")).order_by(Attachment.id)
)


async def case_to_show(session: AsyncSession, local_id: str) -> Case | None:
    """``get_case`` with the specialties joined in instead of a query of their own:
    what every look at a case reads. For reading only: the join stays with the loaded
    case, and PostgreSQL cannot lock the outer side of a join (a later ``FOR UPDATE``
    refresh of it would fail). Only the specialties, at most five: joined, a case's
    images (up to ``images_per_case``) would repeat its text once per pair."""
    case = (await session.scalars(CASE_TO_SHOW, {"local_id": local_id})).unique().one_or_none()
    if case is not None:
        images = (await session.scalars(IMAGES_OF_CASE, {"case_id": case.id})).all()
        set_committed_value(case, "attachments", list(images))
    return case


async def case_by_iri(session: AsyncSession, iri: str) -> Case | None:
    return await session.scalar(select(Case).where(Case.iri == iri))


async def is_tombstoned(session: AsyncSession, iri: str) -> bool:
    return await session.get(Tombstone, iri) is not None


# A specialty with at least this share of the cases is "common" (see _of_specialty).
COMMON_SPECIALTY_SHARE = 0.02


async def _of_specialty(session: AsyncSession, code: str) -> ColumnElement[bool]:
    """The feed's specialty condition, in the form SQLite runs fastest for ``code``.

    SQLite runs "id IN (cases of the specialty)" by collecting all of them and sorting
    them by date: 80-110 ms for a specialty of 20,000 cases out of 100,000. EXISTS
    instead walks the newest-first index and stops after a page (under 1 ms), but for
    a specialty with few cases it walks most of the table. So a capped count decides:
    common specialties walk, rare ones are collected (a few thousand rows at most).
    PostgreSQL plans both forms alike, from its own statistics.
    """
    of_specialty = select(CaseSpecialty.case_id).where(CaseSpecialty.code == code)
    if is_sqlite(session):
        newest = await session.scalar(select(func.max(Case.id))) or 0
        cap = max(1, int(newest * COMMON_SPECIALTY_SHARE))
        found = await session.scalar(
            select(func.count()).select_from(of_specialty.limit(cap).subquery())
        )
        if (found or 0) >= cap:
            return exists().where(CaseSpecialty.case_id == Case.id, CaseSpecialty.code == code)
    return Case.id.in_(of_specialty)


async def list_cases(
    session: AsyncSession, query: CaseQuery, *, polls_for: int | None = None
) -> CaseList:
    """A page of cases; with ``polls_for`` (a member id), each with its poll as that
    member sees it (the API; the feed page shows no polls and skips the queries)."""
    if query.q:
        return await _searched_cases(session, query, polls_for)
    statement = _live()
    if query.specialty:
        statement = statement.where(await _of_specialty(session, query.specialty))
    if query.status:
        statement = statement.where(Case.status == query.status)
    if query.language:
        statement = statement.where(Case.language == query.language)
    if query.country:
        statement = statement.where(Case.author_country == query.country)
    if query.before:
        anchor = (
            await session.execute(
                select(Case.created_at, Case.id, Case.status).where(Case.local_id == query.before)
            )
        ).one_or_none()
        if anchor is not None:
            # A row comparison, not "created_at < x OR (created_at = x AND id < y)":
            # both databases then start the index walk at the anchor instead of
            # reading every newer case (0.2 s on PostgreSQL deep in 100,000 cases).
            older = tuple_(Case.created_at, Case.id) < tuple_(anchor.created_at, anchor.id)
            if query.open_first:
                older = or_(Case.status > anchor.status, and_(Case.status == anchor.status, older))
            statement = statement.where(older)
    newest_first = (Case.created_at.desc(), Case.id.desc())
    # "open" sorts before "resolved". Each order is read straight from an index that
    # matches it column for column (ix_cases_newest, ix_cases_feed, and per country or
    # language ix_cases_*_newest and ix_cases_*_feed in models.py):
    # change the order and those indexes with it, or every page sorts the table.
    order = (Case.status.asc(), *newest_first) if query.open_first else newest_first
    statement = statement.order_by(*order).limit(query.limit + 1)
    rows = await listed_cases(session, statement)
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return CaseList(
        items=await _summaries(session, rows, polls_for),
        next=rows[-1].local_id if more else None,
    )


async def _summaries(
    session: AsyncSession, cases: Sequence[Case], polls_for: int | None
) -> list[CaseOut]:
    items = [case_out(case) for case in cases]
    if polls_for is not None:
        polls = await polls_out(session, [case.id for case in cases], polls_for)
        for case, item in zip(cases, items, strict=True):
            item.poll = polls.get(case.id)
    return items


async def _searched_cases(
    session: AsyncSession, query: CaseQuery, polls_for: int | None
) -> CaseList:
    """``q`` runs the full-text search (node/search): best match first, so ``next`` is
    a search cursor rather than a case id, and ``open_first`` does not apply."""
    filters = Filters(
        specialty=query.specialty,
        status=query.status,
        language=query.language,
        country=query.country,
    )
    hits, next_cursor = await ranked_page(
        session, parse_terms(query.q or ""), filters, cursor=query.before, limit=query.limit
    )
    ids = [hit.case_id for hit in hits]
    listed = await listed_cases(session, _live().where(Case.id.in_(ids)))
    found = {case.id: case for case in listed}
    ranked = [found[case_id] for case_id in ids if case_id in found]
    return CaseList(items=await _summaries(session, ranked, polls_for), next=next_cursor)
