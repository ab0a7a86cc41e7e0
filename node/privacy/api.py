"""JSON API: scan a text, and the moderators' list of acknowledged findings."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from node.api.bodies import json_response, read_json
from node.api.routing import ApiRoutes
from node.deid import scan
from node.members.auth import current_member, verified_moderator
from node.privacy.models import AcknowledgedFinding
from node.privacy.schemas import FindingOut, FlagList, FlagOut, ScanIn, ScanOut
from node.state import node_state

api = ApiRoutes(tag="de-identification")


@api.post(
    "/api/v1/deid/scan",
    summary="Find identifying details in a text",
    request=ScanIn,
    response=ScanOut,
)
async def scan_text(request: web.Request) -> web.Response:
    """The same check that runs when a case or reply is posted, to show the author
    what to fix while writing. Nothing is stored."""
    current_member(request)
    data = await read_json(request, ScanIn)
    findings = [
        FindingOut(start=f.start, end=f.end, kind=f.kind, text=f.text)
        for f in scan(data.text, data.language)
    ]
    return json_response(ScanOut(findings=findings))


@api.get(
    "/api/v1/admin/deid/flags",
    summary="Findings authors acknowledged as not identifying",
    response=FlagList,
    errors=(403,),
)
async def flags(request: web.Request) -> web.Response:
    """For moderators: what authors posted despite a warning, newest first."""
    verified_moderator(request)
    async with node_state(request).db.read() as session:
        rows = (
            await session.scalars(
                select(AcknowledgedFinding).order_by(AcknowledgedFinding.id.desc()).limit(200)
            )
        ).all()
    return json_response(
        FlagList(
            items=[
                FlagOut(
                    id=row.id,
                    object_iri=row.object_iri,
                    field=row.field,
                    kind=row.kind,
                    text=row.text,
                    created_at=row.created_at,
                    reviewed=row.reviewed_at is not None,
                )
                for row in rows
            ]
        )
    )
