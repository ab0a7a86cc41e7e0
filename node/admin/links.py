"""Where a case or reply IRI can be read on this node's pages.

Reports, de-identification flags and reveals name posts by IRI; moderators need a link
to the local page. One query per kind for a whole page of rows, not one per row.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from node.cases.models import Case, Reply


def case_href(case_local_id: str, reply_local_id: str | None = None) -> str:
    anchor = f"#reply-{reply_local_id}" if reply_local_id else ""
    return f"/cases/{case_local_id}{anchor}"


async def post_links(session: AsyncSession, iris: Collection[str]) -> dict[str, str]:
    """IRI -> local page, for the cases and replies still on this node."""
    if not iris:
        return {}
    wanted = set(iris)
    links = {
        iri: case_href(local_id)
        for iri, local_id in await session.execute(
            select(Case.iri, Case.local_id).where(Case.iri.in_(wanted))
        )
    }
    replies = await session.execute(
        select(Reply.iri, Reply.local_id, Case.local_id)
        .join(Case, Case.id == Reply.case_id)
        .where(Reply.iri.in_(wanted - links.keys()))
    )
    for iri, reply_id, case_id in replies:
        links[iri] = case_href(case_id, reply_id)
    return links
