"""JSON API: export your verified status as a Verifiable Credential, and check one."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from federation.jsonld import id_of
from federation.origin import OriginError, origin_of
from federation.transport import FetchError, get_json
from node.api.bodies import json_response, read_json
from node.api.routing import ApiRoutes
from node.db.types import utcnow
from node.members.auth import verified_member
from node.peers.service import peer_by_origin
from node.state import NodeState, node_state
from verification.credentials import CredentialError, check_credential, issue_credential

api = ApiRoutes(tag="credentials")

LIFETIME = timedelta(days=90)


class CredentialCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credential: dict[str, Any]


class CredentialCheckOut(BaseModel):
    valid: bool
    reason: str | None = None
    issuer: str | None = None
    subject: str | None = None
    name: str | None = None
    specialty: str | None = None
    country: str | None = None
    valid_until: datetime | None = None
    current_status: str | None = None


@api.get(
    "/api/v1/me/credential", summary="Your verification as a Verifiable Credential", errors=(403,)
)
async def my_credential(request: web.Request) -> web.Response:
    """A W3C Verifiable Credential (data model 2.0) signed by this node (Data Integrity,
    eddsa-jcs-2022), valid for 90 days. It holds your name, specialty, country and
    verification date, never your licence number or email."""
    member = verified_member(request)
    state = node_state(request)
    base_url = state.config.base_url
    now = utcnow()
    credential = issue_credential(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=f"{base_url}/actor",
        issuer_name=state.config.name,
        subject=f"{base_url}/members/{member.public_id}",
        name=member.name,
        specialty=member.specialty,
        country=state.config.country,
        verified_since=member.verified_at or now,
        valid_from=now,
        valid_until=now + LIFETIME,
        private_key=state.key.private_key,
        key_id=state.federation.signing_key.key_id,
    )
    return json_response(credential)


@api.post(
    "/api/v1/credentials/verify",
    summary="Check a physician credential from any Curbside node",
    request=CredentialCheckIn,
    response=CredentialCheckOut,
)
async def verify_credential(request: web.Request) -> web.Response:
    """Checks the issuer's signature and validity period, and asks the issuer (if it is a
    peer, or this node) whether the physician is still verified today."""
    verified_member(request)
    data = await read_json(request, CredentialCheckIn)
    state = node_state(request)
    proof = data.credential.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    key = await state.federation.proof_keys.key_for(method) if isinstance(method, str) else None
    try:
        checked = check_credential(
            data.credential, resolve_key=lambda vm: key if vm == method else None
        )
    except CredentialError as error:
        return json_response(CredentialCheckOut(valid=False, reason=str(error)))
    status = None
    if await _asks_issuer(state, checked.issuer, checked.subject):
        try:
            actor = await get_json(state.http, checked.subject, state.federation.signing_key)
            attestation = actor.get("attestation") if isinstance(actor, dict) else None
            if (
                isinstance(attestation, dict)
                and id_of(attestation.get("verifiedBy")) == checked.issuer
            ):
                status = attestation.get("verificationStatus")
        except FetchError:
            status = None  # unreachable: the signature still stands
    return json_response(
        CredentialCheckOut(
            valid=status in (None, "verified"),
            reason=None if status in (None, "verified") else f"the issuer now says: {status}",
            issuer=checked.issuer,
            subject=checked.subject,
            name=checked.name,
            specialty=checked.specialty,
            country=checked.country,
            valid_until=checked.valid_until,
            current_status=status,
        )
    )


async def _asks_issuer(state: NodeState, issuer: str, subject: str) -> bool:
    """Whether to ask for the physician's current status: only a peer (or this node)
    vouching for a member of its own. A signed GET to whatever URL a credential
    names would let any member point this node at any address, its key on the
    request."""
    try:
        origin = origin_of(issuer)
        if origin_of(subject) != origin:
            return False
    except OriginError:
        return False
    if origin == origin_of(state.config.base_url):
        return True
    async with state.db.read() as session:
        return await peer_by_origin(session, origin) is not None
