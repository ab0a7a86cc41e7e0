"""The reasons the node itself writes into the audit log, shown translated.

Admins and members type most reasons, and those are shown as they were typed. The few
the node writes itself (a register match, a document past its retention period) are
stored in English, as the action codes are, so that an operator's grep finds them on
every node; the audit page shows them in the reader's language, each being a message
of the catalogs. A reason computed from figures (a held register import, a refused
key change) is not one of these: it is stored and shown as written.
"""

from __future__ import annotations

from typing import Final

from i18n.translate import N_, gettext

RETENTION_OVER: Final = N_("retention period over")
LICENCE_HELD: Final = N_("licence already held by another member")
NEW_CLAIM: Final = N_("new licence claim")
REGISTER_MATCH: Final = N_("register match")
AWAITING_REVIEW: Final = N_("awaiting review")
REGISTER_REIMPORT: Final = N_("register re-import")

_WRITTEN_BY_THE_NODE: Final = frozenset(
    {RETENTION_OVER, LICENCE_HELD, NEW_CLAIM, REGISTER_MATCH, AWAITING_REVIEW, REGISTER_REIMPORT}
)


def shown_reason(reason: str | None) -> str:
    """``reason`` as the audit page shows it: translated if the node wrote it."""
    if not reason:
        return ""
    return gettext(reason) if reason in _WRITTEN_BY_THE_NODE else reason
