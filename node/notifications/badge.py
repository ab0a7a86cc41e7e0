"""The unread badge in the navigation of every page.

Templates render synchronously, so the count cannot be fetched while rendering: a
middleware counts once per page request of a signed-in, verified member (one indexed
COUNT, which stops at ``BADGE_CAP``: the badge then shows "99+") and the layout reads
it with the ``unread_count(request)`` template function.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from node.notifications.service import badge_count
from node.state import NODE
from node.web.context import page_member

UNREAD_COUNT = web.RequestKey("curbside_unread_count", int)


@web.middleware
async def unread_badge(request: web.Request, handler: Handler) -> web.StreamResponse:
    member = page_member(request)  # set by the session middleware, for page requests only
    if (
        member is not None
        and member.is_verified
        and request.method == "GET"
        # The event stream counts by itself; nothing renders a badge for it.
        and "text/event-stream" not in request.headers.get("Accept", "")
    ):
        async with request.app[NODE].db.read() as session:
            request[UNREAD_COUNT] = await badge_count(session, member.id)
    return await handler(request)


def unread_count_of(request: web.Request) -> int | None:
    """For the layout: the count, or None where there is no badge to show."""
    return request.get(UNREAD_COUNT)
