"""A small hand-built history of cases and replies, with times chosen to the second.

The API stamps everything with the current time, so figures like medians can only be
checked on data whose times we choose: these rows are written straight into the
node's database, as the inbox worker and the API would have left them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from node.cases.models import Case, Reply
from tests.rig import TestNode

PEER = "https://peer.example"


@dataclass
class Thread:
    """A case ``age`` before now; replies and resolution are offsets from its posting."""

    age: timedelta
    replies: list[timedelta] = field(default_factory=list)
    by_author: list[timedelta] = field(default_factory=list)
    resolved_after: timedelta | None = None
    found: bool | None = None
    network_views: int = 0
    local_views: int = 0
    local: bool = True
    deleted: bool = False


async def build(node: TestNode, threads: list[Thread], *, now: datetime) -> None:
    base = node.base_url
    async with node.state.db.write() as session:
        for thread in threads:
            origin = base if thread.local else PEER
            key = secrets.token_hex(8)
            author_iri = f"{origin}/members/author-{key}"
            posted = now - thread.age
            case = Case(
                iri=f"{origin}/cases/{key}",
                local_id=key,
                origin=origin,
                is_local=thread.local,
                author_iri=author_iri,
                author_name="Author",
                author_specialty="pediatrics",
                author_country="US" if thread.local else "FR",
                title=f"Case {key}",
                body="History.",
                question="Question?",
                language="en",
                audience="federated",
                status="resolved" if thread.resolved_after is not None else "open",
                reply_count=len(thread.replies) + len(thread.by_author),
                created_at=posted,
                resolved_at=posted + thread.resolved_after if thread.resolved_after else None,
                found_what_needed=thread.found,
                network_view_count=thread.network_views,
                local_view_count=thread.local_views,
                deleted_at=now if thread.deleted else None,
            )
            session.add(case)
            await session.flush()
            writers = [
                (offset, f"{base}/members/other-{n}") for n, offset in enumerate(thread.replies)
            ]
            writers += [(offset, author_iri) for offset in thread.by_author]
            for position, (offset, writer) in enumerate(sorted(writers), start=1):
                reply_key = secrets.token_hex(8)
                session.add(
                    Reply(
                        iri=f"{base}/replies/{reply_key}",
                        local_id=reply_key,
                        case_id=case.id,
                        origin=base,
                        is_local=True,
                        author_iri=writer,
                        author_name="Replier",
                        author_specialty="pediatrics",
                        author_country="US",
                        content="A reply.",
                        position=position,
                        created_at=posted + offset,
                        signed_note="{}",
                    )
                )
