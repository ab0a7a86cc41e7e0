"""``/admin/audit``: the audit log, newest first, filtered by action and subject.

Entries hold no secrets (tokens, passwords and keys are never written to them), so
they are shown as they are; member references also show the member's name.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.admin.access import render_admin, staff_page_member
from node.admin.audit import audit_actions, audit_page, member_names
from node.admin.audit_labels import action_label
from node.api.numbers import whole_number
from node.audit.reasons import shown_reason
from node.state import node_state

routes = web.RouteTableDef()
PATH = "/admin/audit"
PAGE_SIZE = 50


def _details(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(str(key), str(value)) for key, value in (details or {}).items()]


@routes.get(PATH)
async def audit_log(request: web.Request) -> web.Response:
    member = staff_page_member(request)
    action = request.query.get("action", "").strip()[:64]
    subject = request.query.get("subject", "").strip()[:200]
    raw_before = request.query.get("before", "")
    before = whole_number(raw_before)
    async with node_state(request).db.read() as session:
        page = await audit_page(
            session, action=action or None, subject=subject or None, before=before, limit=PAGE_SIZE
        )
        actions = await audit_actions(session)
        names = await member_names(
            session, [ref for entry in page.entries for ref in (entry.actor, entry.subject)]
        )
    entries = [
        {
            "entry": entry,
            "actor_name": names.get(entry.actor),
            "subject_name": names.get(entry.subject or ""),
            "details": _details(entry.details),
            "label": action_label(entry.action),
            "reason": shown_reason(entry.reason),
        }
        for entry in page.entries
    ]
    context = {
        "entries": entries,
        "actions": [(code, action_label(code)) for code in actions],
        "action": action,
        "subject": subject,
        "older": page.older,
        "first_page": before is None,
        "filters": {
            key: value for key, value in (("action", action), ("subject", subject)) if value
        },
    }
    return render_admin(request, member, "audit", "admin/audit.html", context)
