"""Writing to the audit log, inside the caller's transaction.

The entry is added to the same session as the action it records, so either both
are committed or neither is: an audited action can never happen unrecorded.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from node.audit.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(actor=actor, action=action, subject=subject, reason=reason, details=details)
    session.add(entry)
    return entry
