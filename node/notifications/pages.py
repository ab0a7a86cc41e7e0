"""Web pages: the notification list, following a notification, follows and digest.

Every change goes through ``actions.py``, as the JSON API does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web
from babel.dates import get_day_names
from pydantic import ValidationError

from i18n.specialties import SPECIALTIES
from i18n.translate import N_, current_language, gettext
from node.config import WEEKDAYS
from node.members.models import Member
from node.notifications import actions
from node.notifications.live import unread_signal, unread_stream
from node.notifications.models import DigestFrequency
from node.notifications.schemas import (
    MAX_READ_IDS,
    FollowsIn,
    NotificationSettingsIn,
    ReadIn,
)
from node.notifications.service import entries, excerpt, unread_count
from node.notifications.text import describe
from node.state import NODE
from node.web.context import signed_in_page_member, verified_page_member
from node.web.templating import render

routes = web.RouteTableDef()
routes.get("/notifications/events")(unread_stream)

PAGE_SIZE = 30

# Specialties grouped the way a physician scans for theirs. A code missing here (one
# added to i18n.specialties later) still shows, under "Other specialties".
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        N_("General, emergency and critical care"),
        (
            "general-practice",
            "emergency-medicine",
            "intensive-care",
            "anesthesiology",
            "geriatrics",
            "palliative-care",
        ),
    ),
    (
        N_("Internal medicine and its specialties"),
        (
            "internal-medicine",
            "cardiology",
            "gastroenterology",
            "nephrology",
            "endocrinology",
            "hematology",
            "oncology",
            "pulmonology",
            "rheumatology",
            "infectious-diseases",
            "tropical-medicine",
            "allergy-immunology",
        ),
    ),
    (
        N_("Children, pregnancy and genetics"),
        ("pediatrics", "neonatology", "obstetrics-gynecology", "clinical-genetics"),
    ),
    (N_("Brain and mind"), ("neurology", "psychiatry")),
    (
        N_("Surgical specialties"),
        ("surgery", "orthopedics", "urology", "ophthalmology", "otorhinolaryngology"),
    ),
    (N_("Diagnostics"), ("radiology", "pathology")),
)
OTHER_GROUP = N_("Other specialties")


def specialty_groups() -> list[tuple[str, list[str]]]:
    grouped = [(gettext(label), [c for c in codes if c in SPECIALTIES]) for label, codes in GROUPS]
    placed = {code for _, codes in GROUPS for code in codes}
    rest = [code for code in SPECIALTIES if code not in placed]
    if rest:
        grouped.append((gettext(OTHER_GROUP), rest))
    return grouped


# --- the notification list ------------------------------------------------------------


@routes.get("/notifications")
async def notification_page(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    state = request.app[NODE]
    before = request.query.get("before") or None
    async with state.db.read() as session:
        found = await entries(session, member.id, limit=PAGE_SIZE + 1, before=before)
        unread = await unread_count(session, member.id)
    page = found[:PAGE_SIZE]
    items = [
        {
            "id": entry.notification.public_id,
            "kind": entry.notification.kind,
            "sentence": describe(entry),
            "excerpt": excerpt(entry.reply.content) if entry.reply is not None else None,
            "unread": entry.notification.read_at is None,
            "created_at": entry.notification.created_at,
            "href": f"/notifications/{entry.notification.public_id}/open",
        }
        for entry in page
    ]
    return render(
        request,
        "notifications/list.html",
        {
            "items": items,
            "unread": unread,
            "older": page[-1].notification.public_id if len(found) > PAGE_SIZE else None,
            "first_page": before is None,
        },
    )


@routes.post("/notifications/read")
async def mark_read_form(request: web.Request) -> web.Response:
    member = verified_page_member(request)
    form = await request.post()
    ids = [str(value) for value in form.getall("id", [])][:MAX_READ_IDS]
    data = ReadIn(all=True) if form.get("all") else ReadIn(ids=ids) if ids else None
    if data is not None:
        await actions.mark_read(request.app[NODE], unread_signal(request), member, data)
    raise web.HTTPSeeOther("/notifications")


@routes.get("/notifications/{public_id}/open")
async def open_notification(request: web.Request) -> web.Response:
    """Follow a notification to its case (and reply), marking it read on the way."""
    member = verified_page_member(request)
    target = await actions.open_notification(
        request.app[NODE], unread_signal(request), member, request.match_info["public_id"]
    )
    location = f"/cases/{quote(target.case_local_id)}"
    if target.reply_local_id:
        location += f"#reply-{quote(target.reply_local_id)}"
    raise web.HTTPFound(location)


# --- follows and digest ---------------------------------------------------------------


async def _follows_page(
    request: web.Request,
    member: Member,
    *,
    chosen: list[str] | None = None,
    digest: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    state = request.app[NODE]
    if chosen is None:
        chosen = (await actions.follows(state, member)).specialties
    if digest is None:
        digest = (await actions.notification_settings(state, member)).digest.value
    context: dict[str, Any] = {
        "groups": specialty_groups(),
        "chosen": set(chosen),
        "digest": digest,
        "frequencies": [
            (DigestFrequency.OFF.value, gettext("No email")),
            (DigestFrequency.DAILY.value, gettext("Daily")),
            (DigestFrequency.WEEKLY.value, gettext("Weekly")),
        ],
        "digest_hour": state.config.digest_hour,
        "digest_day": get_day_names("wide", locale=current_language())[
            WEEKDAYS.index(state.config.digest_weekday)
        ],
        "error": error,
        "saved": request.query.get("saved") == "1" and error is None,
    }
    return render(request, "notifications/follows.html", context, status=status)


@routes.get("/settings/follows")
async def follows_page(request: web.Request) -> web.Response:
    member = signed_in_page_member(request)
    return await _follows_page(request, member)


@routes.post("/settings/follows")
async def save_follows(request: web.Request) -> web.Response:
    member = signed_in_page_member(request)
    form = await request.post()
    codes = [str(value) for value in form.getall("specialty", [])]
    digest = str(form.get("digest", DigestFrequency.OFF.value))
    try:
        follows = FollowsIn(specialties=codes)
        settings = NotificationSettingsIn.model_validate({"digest": digest})
    except ValidationError:
        # Only a tampered form gets here: the page offers known codes and choices.
        return await _follows_page(
            request,
            member,
            chosen=[code for code in codes if code in SPECIALTIES],
            digest=digest if digest in {f.value for f in DigestFrequency} else "off",
            error=gettext("Choose specialties and a digest from the lists on this page."),
            status=422,
        )
    state = request.app[NODE]
    await actions.set_follows(state, member, follows)
    await actions.set_notification_settings(state, member, settings)
    raise web.HTTPSeeOther("/settings/follows?saved=1")
