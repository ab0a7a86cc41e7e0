"""``/admin/peers``: the allowlist with key fingerprints and delivery health; admins add
a peer (fetch its actor, compare the fingerprint, confirm) and block one.

Adding is two steps, like ``curbside peers add``: the first fetches the peer's node
actor and shows its key fingerprint (refusing at once when it differs from the one the
admin typed); only the second, an explicit confirmation, stores the peer. The second
step fetches the actor again and refuses if the key is no longer the one confirmed, so
a key swapped between the two steps is never trusted.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from federation.discovery import NodeActor
from federation.signatures.keys import fingerprint as key_fingerprint
from i18n.translate import N_, gettext
from node.admin.access import (
    MODERATION_REASON_MIN,
    admin_page_member,
    form_errors,
    notice,
    render_admin,
    staff_page_member,
    validated,
)
from node.admin.overview import has_delivery_problem
from node.api.problems import Problem
from node.cases.pages_forms import text
from node.members.models import Member
from node.moderation import actions as moderation_actions
from node.moderation.schemas import BlockIn
from node.peers.service import (
    NotACurbsideNode,
    PeerError,
    add_peer,
    fetch_node_actor,
    list_peers,
    peer_by_origin,
)
from node.peers.service import peer_origin as parse_origin
from node.state import NodeState, node_state

routes = web.RouteTableDef()
PATH = "/admin/peers"
UNPROCESSABLE = 422

_NOTICES = {
    "added": N_(
        "The peer was added. Federation with it is active once its operator adds this node too."
    ),
    "blocked": N_("The peer was blocked: nothing more is exchanged with it."),
}


async def _peers_page(
    request: web.Request,
    member: Member,
    *,
    status: int = 200,
    error: str | None = None,
    **context: Any,
) -> web.Response:
    state = node_state(request)
    async with state.db.read() as session:
        peers = await list_peers(session)
    page: dict[str, Any] = {
        "peers": peers,
        "troubled": {peer.origin for peer in peers if has_delivery_problem(peer)},
        "own_fingerprint": state.key.fingerprint,
        "own_url": state.config.base_url,
        "notice": notice(request, _NOTICES),
        "error": error,
        "values": {"url": "", "expected": ""},
    }
    page.update(context)
    return render_admin(request, member, "peers", "admin/peers.html", page, status=status)


@routes.get(PATH)
async def peers_page(request: web.Request) -> web.Response:
    return await _peers_page(request, staff_page_member(request))


class _Refused(Exception):
    """A step of adding a peer stopped; the message is for the admin, in their language,
    and ``technical`` (English, as the fetch reported it) for whoever debugs it."""

    def __init__(
        self, message: str, status: int = UNPROCESSABLE, technical: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.technical = technical


async def _refused_page(
    request: web.Request, member: Member, refused: _Refused, **context: Any
) -> web.Response:
    return await _peers_page(
        request,
        member,
        status=refused.status,
        error=refused.message,
        error_detail=refused.technical,
        **context,
    )


async def _fetch(state: NodeState, url: str) -> NodeActor:
    """The peer's node actor; refuses this node itself, existing peers, bad addresses."""
    try:
        origin = parse_origin(url)
    except PeerError:
        raise _Refused(
            gettext("Enter the peer's address, such as https://curbside.example.org.")
        ) from None
    if origin == state.config.base_url:
        raise _Refused(gettext("This is this node's own address."))
    async with state.db.read() as session:
        if await peer_by_origin(session, origin) is not None:
            raise _Refused(gettext("%(origin)s is already a peer.", origin=origin), 409)
    runtime = state.federation
    try:
        return await fetch_node_actor(runtime.http, origin, runtime.signing_key)
    except NotACurbsideNode as error:
        raise _Refused(
            gettext(
                "Something answers at %(origin)s, but not as a Curbside node. Check the "
                "address with its operator. Nothing was added.",
                origin=origin,
            ),
            technical=str(error),
        ) from None
    except PeerError as error:  # PeerUnreachable
        raise _Refused(
            gettext(
                "The node at %(origin)s could not be reached. Check the address and that "
                "the node is running. Nothing was added.",
                origin=origin,
            ),
            technical=str(error),
        ) from None


def _actor_facts(actor: NodeActor) -> dict[str, Any]:
    return {
        "origin": actor.origin,
        "name": actor.name,
        "country": actor.country,
        "fingerprint": key_fingerprint(actor.public_key),
    }


@routes.post(PATH + "/check")
async def check_peer(request: web.Request) -> web.Response:
    """Step one: fetch the actor and show its fingerprint (nothing is stored)."""
    member = admin_page_member(request)
    state = node_state(request)
    form = await request.post()
    url, expected = text(form, "url").strip(), text(form, "expected").strip()
    values = {"url": url, "expected": expected}
    try:
        actor = await _fetch(state, url)
    except _Refused as refused:
        return await _refused_page(request, member, refused, values=values)
    facts = _actor_facts(actor)
    if expected and expected != facts["fingerprint"]:
        error = gettext(
            "The node at %(origin)s has the key fingerprint %(found)s, not the one you "
            "entered (%(expected)s). It was not added: ask its operator for the right "
            "fingerprint over another channel.",
            origin=actor.origin,
            found=facts["fingerprint"],
            expected=expected,
        )
        return await _peers_page(request, member, status=UNPROCESSABLE, error=error, values=values)
    return _confirm_page(request, member, facts, matched=bool(expected))


def _confirm_page(
    request: web.Request,
    member: Member,
    facts: dict[str, Any],
    *,
    matched: bool,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    context = {"peer": facts, "matched": matched, "error": error}
    return render_admin(request, member, "peers", "admin/peer_confirm.html", context, status=status)


@routes.post(PATH + "/add")
async def add(request: web.Request) -> web.Response:
    """Step two: the admin confirmed this fingerprint; add the peer if the key is still it."""
    member = admin_page_member(request)
    state = node_state(request)
    form = await request.post()
    url, confirmed_key = text(form, "url").strip(), text(form, "fingerprint").strip()
    try:
        actor = await _fetch(state, url)
    except _Refused as refused:
        return await _refused_page(request, member, refused)
    facts = _actor_facts(actor)
    if facts["fingerprint"] != confirmed_key:
        error = gettext(
            "The key of %(origin)s is now %(found)s, not the fingerprint you confirmed. "
            "Nothing was added; compare the new fingerprint with its operator.",
            origin=actor.origin,
            found=facts["fingerprint"],
        )
        return await _peers_page(request, member, status=409, error=error)
    if not text(form, "confirmed"):
        error = gettext("Tick the box to confirm you compared the fingerprint.")
        return _confirm_page(request, member, facts, matched=False, error=error, status=422)
    try:
        async with state.db.write() as session:
            await add_peer(
                session,
                actor,
                own_origin=state.config.base_url,
                actor_label=f"member:{member.public_id}",
            )
    except PeerError:
        # Another admin added it between the check above and this transaction.
        error = gettext("%(origin)s is already a peer.", origin=actor.origin)
        return await _peers_page(request, member, status=409, error=error)
    state.federation.catchup.wake.set()  # pull what the new peer published so far
    raise web.HTTPFound(PATH + "?notice=added")


def _block_page(
    request: web.Request,
    member: Member,
    origin: str,
    *,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    context = {"origin": origin, "reason": reason, "errors": errors or {}}
    return render_admin(request, member, "peers", "admin/peer_block.html", context, status=status)


@routes.get(PATH + "/block")
async def block_form(request: web.Request) -> web.Response:
    member = admin_page_member(request)
    return _block_page(request, member, request.query.get("origin", ""))


@routes.post(PATH + "/block")
async def block(request: web.Request) -> web.Response:
    member = admin_page_member(request)
    form = await request.post()
    origin, reason = text(form, "origin"), text(form, "reason")
    try:
        data = validated(BlockIn, form, "origin", "reason")
    except ValidationError as error:
        errors = form_errors(error, reason_min=MODERATION_REASON_MIN)
        return _block_page(
            request, member, origin, reason=reason, errors=errors, status=UNPROCESSABLE
        )
    try:
        await moderation_actions.block_peer(node_state(request), member, data.origin, data.reason)
    except (PeerError, Problem):
        errors = {"origin": gettext("That node is not a peer.")}
        return _block_page(request, member, origin, reason=reason, errors=errors, status=404)
    raise web.HTTPFound(PATH + "?notice=blocked")
