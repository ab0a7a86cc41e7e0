"""JSON API for follows, notifications and the digest: thin over actions.py."""

from __future__ import annotations

from aiohttp import web

from node.api.bodies import json_response, read_json, read_query
from node.api.routing import ApiRoutes
from node.members.auth import current_member, verified_member
from node.notifications import actions
from node.notifications.live import unread_signal
from node.notifications.schemas import (
    FollowsIn,
    FollowsOut,
    NotificationList,
    NotificationQuery,
    NotificationSettingsIn,
    NotificationSettingsOut,
    ReadIn,
    ReadOut,
)
from node.state import node_state

api = ApiRoutes(tag="notifications")


@api.get("/api/v1/me/follows", summary="The specialties you follow", response=FollowsOut)
async def get_follows(request: web.Request) -> web.Response:
    """New cases in these specialties, from this node or any peer, notify you."""
    member = current_member(request)
    return json_response(await actions.follows(node_state(request), member))


@api.put(
    "/api/v1/me/follows",
    summary="Set the specialties you follow",
    request=FollowsIn,
    response=FollowsOut,
    errors=(422,),
)
async def put_follows(request: web.Request) -> web.Response:
    """Replaces the whole set; codes come from ``GET /api/v1/specialties``."""
    member = current_member(request)
    data = await read_json(request, FollowsIn)
    return json_response(await actions.set_follows(node_state(request), member, data))


@api.get(
    "/api/v1/me/notification-settings",
    summary="Your email digest setting",
    response=NotificationSettingsOut,
)
async def get_settings(request: web.Request) -> web.Response:
    member = current_member(request)
    return json_response(await actions.notification_settings(node_state(request), member))


@api.patch(
    "/api/v1/me/notification-settings",
    summary="Choose your email digest",
    request=NotificationSettingsIn,
    response=NotificationSettingsOut,
    errors=(422,),
)
async def patch_settings(request: web.Request) -> web.Response:
    """``digest``: ``off``, ``daily`` or ``weekly``. A digest lists your unread
    notifications since the previous one and is only sent when there are some."""
    member = current_member(request)
    data = await read_json(request, NotificationSettingsIn)
    return json_response(await actions.set_notification_settings(node_state(request), member, data))


@api.get(
    "/api/v1/notifications",
    summary="Your notifications",
    query=NotificationQuery,
    response=NotificationList,
    errors=(400, 403),
)
async def get_notifications(request: web.Request) -> web.Response:
    """Newest first, with your unread count; page with ``before`` (the ``next`` of the
    previous page); ``unread=true`` lists only unread ones."""
    member = verified_member(request)
    return json_response(
        await actions.notifications(
            node_state(request), member, read_query(request, NotificationQuery)
        )
    )


@api.post(
    "/api/v1/notifications/read",
    summary="Mark notifications read",
    request=ReadIn,
    response=ReadOut,
    errors=(403, 422),
)
async def post_read(request: web.Request) -> web.Response:
    """``{"ids": [...]}`` marks those (ids that are not yours are ignored);
    ``{"all": true}`` marks every unread notification."""
    member = verified_member(request)
    data = await read_json(request, ReadIn)
    return json_response(
        await actions.mark_read(node_state(request), unread_signal(request), member, data)
    )
