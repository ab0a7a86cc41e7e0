"""``/admin``: what needs attention, with a link to each page."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from node.admin.access import render_admin, staff_page_member
from node.moderation.models import Report
from node.peers.service import PeerHealth, list_peers
from node.privacy.models import AcknowledgedFinding
from node.state import node_state
from node.verification.models import ClaimState, LicenceClaim

routes = web.RouteTableDef()


@dataclass(frozen=True, slots=True)
class Attention:
    open_reports: int
    pending_claims: int
    troubled_peers: int
    unreviewed_flags: int


def has_delivery_problem(peer: PeerHealth) -> bool:
    return peer.unreachable or peer.failures > 0


async def _count(session: AsyncSession, query: Select[int]) -> int:
    return await session.scalar(query) or 0


async def attention(session: AsyncSession) -> Attention:
    peers = await list_peers(session)
    return Attention(
        open_reports=await _count(
            session, select(func.count()).select_from(Report).where(Report.state == "open")
        ),
        pending_claims=await _count(
            session,
            select(func.count())
            .select_from(LicenceClaim)
            .where(LicenceClaim.state == ClaimState.PENDING.value),
        ),
        troubled_peers=sum(1 for peer in peers if has_delivery_problem(peer)),
        unreviewed_flags=await _count(
            session,
            select(func.count())
            .select_from(AcknowledgedFinding)
            .where(AcknowledgedFinding.reviewed_at.is_(None)),
        ),
    )


@routes.get("/admin")
async def overview(request: web.Request) -> web.Response:
    member = staff_page_member(request)
    async with node_state(request).db.read() as session:
        counts = await attention(session)
    return render_admin(request, member, "overview", "admin/overview.html", {"counts": counts})
