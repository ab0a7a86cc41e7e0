"""The words of a deleted case or reply, out of both activity logs, in the deleting
transaction: the outbox stops delivering and serving them (outbox/withdraw.py), the
inbox empties the JSON it received them in (inbox/forget.py).

Call after the case row has been changed or locked (docs/architecture.md, lock order).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from node.inbox.forget import forget_post, forget_thread
from node.outbox.withdraw import withdraw_post, withdraw_thread


async def purge_thread_text(session: AsyncSession, case_iri: str) -> None:
    await withdraw_thread(session, case_iri)
    await forget_thread(session, case_iri)


async def purge_reply_text(session: AsyncSession, case_iri: str, iri: str) -> None:
    await withdraw_post(session, iri)
    await forget_post(session, case_iri, iri)
