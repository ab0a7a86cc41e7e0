"""``/admin/deid``: what authors posted despite a de-identification warning (kind, text,
link to the post); moderators mark each flag reviewed."""

from __future__ import annotations

from aiohttp import web

from i18n.translate import N_, gettext
from node.admin.access import notice, render_admin, staff_page_member
from node.admin.deid import flag_rows, mark_reviewed
from node.api.numbers import path_id, whole_number
from node.cases.pages import CASE_LABELS
from node.cases.pages_forms import FINDING_KINDS
from node.db.types import utcnow
from node.state import node_state

routes = web.RouteTableDef()
PATH = "/admin/deid"
PAGE_SIZE = 50

FIELDS = {**CASE_LABELS, "content": N_("Reply")}
TABS = (("unreviewed", N_("Not yet reviewed")), ("reviewed", N_("Reviewed")))
_NOTICES = {"reviewed": N_("The flag is marked reviewed.")}


@routes.get(PATH)
async def flags_page(request: web.Request) -> web.Response:
    member = staff_page_member(request)
    tab = "reviewed" if request.query.get("tab") == "reviewed" else "unreviewed"
    raw_before = request.query.get("before", "")
    before = whole_number(raw_before)
    async with node_state(request).db.read() as session:
        rows = await flag_rows(session, reviewed=tab == "reviewed", before=before, limit=PAGE_SIZE)
    context = {
        "tab": tab,
        "tabs": [(value, gettext(label)) for value, label in TABS],
        "rows": rows,
        "kinds": {kind: gettext(label) for kind, label in FINDING_KINDS.items()},
        "fields": {field: gettext(label) for field, label in FIELDS.items()},
        "older": rows[-1].finding.id if len(rows) == PAGE_SIZE else None,
        "first_page": before is None,
        "notice": notice(request, _NOTICES),
    }
    return render_admin(request, member, "deid", "admin/deid.html", context)


@routes.post(PATH + r"/{flag_id:\d+}/reviewed")
async def reviewed(request: web.Request) -> web.Response:
    member = staff_page_member(request)
    async with node_state(request).db.write() as session:
        found = await mark_reviewed(session, path_id(request, "flag_id"), member, now=utcnow())
    if not found:
        raise web.HTTPNotFound()
    raise web.HTTPFound(PATH + "?notice=reviewed")
