"""``/admin/members`` (admins): find a member, see their status, suspend, revoke or
restore them with a reason.

Changes go through ``node.verification.review.set_member_status``: the state graph
decides what is possible, and the change is audited with the admin and the reason.
A move the graph forbids (restoring a revoked member, say) is shown as an error.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from i18n.translate import N_, gettext
from node.accounts.verification_pages import STATUS_NAMES
from node.admin.access import admin_page_member, form_errors, notice, render_admin, validated
from node.admin.members import find_members, member_by_public_id
from node.db.types import utcnow
from node.members.models import Member, VerificationStatus
from node.state import node_state
from node.verification.review import ReviewRefused, admin_targets, set_member_status
from node.verification.schemas import MemberStatusIn
from verification.workflow import InvalidTransition

routes = web.RouteTableDef()
PATH = "/admin/members"

ROLE_NAMES = {"member": N_("Member"), "moderator": N_("Moderator"), "admin": N_("Admin")}
# What an admin may ask for (node.verification.review.ADMIN_TARGETS), as choices.
STATUS_CHOICES = (
    ("suspended", N_("Suspend (can be restored)")),
    ("revoked", N_("Revoke (final)")),
    ("verified", N_("Restore a suspended member")),
)
_NOTICES = {
    "suspended": N_("The member is suspended."),
    "revoked": N_("The member's verification is revoked."),
    "verified": N_("The member is verified again."),
}
# Why the status form offers nothing (node.verification.review.admin_targets).
_NO_CHANGE = {
    "revoked": N_("A revoked verification is final: there is nothing to change."),
    "pending": N_(
        "This member is not verified yet: their claim is decided in the review queue, not here."
    ),
    "rejected": N_(
        "This member's claim was rejected. They can file a new one, which comes to the "
        "review queue."
    ),
}
_REFUSALS = {
    "not-found": N_("No such member."),
    "own-status": N_("Another admin must change your own status."),
}


def _labelled(member: Member) -> dict[str, Any]:
    # Not "member": that is the signed-in admin in every page's context.
    return {
        "target": member,
        "status_name": gettext(STATUS_NAMES.get(member.status, member.status)),
        "role_name": gettext(ROLE_NAMES.get(member.role, member.role)),
    }


@routes.get(PATH)
async def members_page(request: web.Request) -> web.Response:
    admin = admin_page_member(request)
    text = request.query.get("q", "")[:200]
    wanted = request.query.get("status", "")
    status = wanted if wanted in {s.value for s in VerificationStatus} else None
    async with node_state(request).db.read() as session:
        found = await find_members(session, text, status=status)
    context = {
        "q": text,
        "status": status or "",
        "statuses": [(s.value, gettext(STATUS_NAMES[s.value])) for s in VerificationStatus],
        "members": [_labelled(member) for member in found],
    }
    return render_admin(request, admin, "members", "admin/members.html", context)


async def _member_page(
    request: web.Request, admin: Member, *, status: int = 200, **context: Any
) -> web.Response:
    async with node_state(request).db.read() as session:
        target = await member_by_public_id(session, request.match_info["public_id"])
    if target is None:
        raise web.HTTPNotFound()
    page: dict[str, Any] = {
        **_labelled(target),
        "choices": [
            (value, gettext(label))
            for value, label in STATUS_CHOICES
            if value in admin_targets(target.status)
        ],
        "no_change": gettext(_NO_CHANGE[target.status]) if target.status in _NO_CHANGE else "",
        "values": {"status": "", "reason": ""},
        "errors": {},
        "own": target.id == admin.id,
        "notice": notice(request, _NOTICES),
    }
    page.update(context)
    return render_admin(request, admin, "members", "admin/member.html", page, status=status)


@routes.get(PATH + "/{public_id}")
async def member_page(request: web.Request) -> web.Response:
    return await _member_page(request, admin_page_member(request))


@routes.post(PATH + "/{public_id}/status")
async def change_status(request: web.Request) -> web.Response:
    admin = admin_page_member(request)
    state = node_state(request)
    public_id = request.match_info["public_id"]
    form = await request.post()
    values = {"status": str(form.get("status", "")), "reason": str(form.get("reason", ""))}
    try:
        data = validated(MemberStatusIn, form, "status", "reason")
    except ValidationError as error:
        errors = form_errors(error)
        return await _member_page(request, admin, status=422, values=values, errors=errors)
    try:
        async with state.db.write() as session:
            change = await set_member_status(
                session,
                public_id,
                admin,
                VerificationStatus(data.status),
                data.reason,
                now=utcnow(),
            )
    except ReviewRefused as refused:
        if refused.status == 404:
            raise web.HTTPNotFound() from None
        message = gettext(_REFUSALS.get(refused.slug, refused.detail))
        return await _member_page(request, admin, status=refused.status, error=message)
    except InvalidTransition:
        async with state.db.read() as session:
            target = await member_by_public_id(session, public_id)
        current = target.status if target is not None else ""
        message = gettext(
            "This change is not possible from the member's current status, “%(status)s”. "
            "Nothing was changed.",
            status=gettext(STATUS_NAMES.get(current, current)),
        )
        return await _member_page(request, admin, status=409, error=message, values=values)
    state.log.info("member status changed", extra={"status": change.current})
    raise web.HTTPFound(f"{PATH}/{public_id}?notice={change.current}")
