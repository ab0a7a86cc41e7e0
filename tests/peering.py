"""Crafting requests as a peer node would send them, and as attackers would tamper them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from federation.jsonld import CANONICAL_CONTEXT
from federation.signatures import sign_request
from node.inbox.models import InboxEntry
from tests.rig import TestNode


def create_case_activity(
    origin: str, *, title: str = "A case", **object_fields: Any
) -> dict[str, Any]:
    author = f"{origin}/members/someone"
    obj: dict[str, Any] = {
        "id": f"{origin}/cases/{uuid.uuid4().hex[:16]}",
        "type": "Case",
        "attributedTo": {
            "id": author,
            "type": "Person",
            "name": "Dr. Remote",
            "specialty": ["pediatrics"],
            "country": "DE",
        },
        "anonymous": False,
        "nameMap": {"en": title},
        "contentMap": {"en": "History and findings."},
        "clinicalQuestion": "What next?",
        "specialty": ["pediatrics"],
        "caseStatus": "open",
        "published": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    obj.update(object_fields)
    return {
        "@context": list(CANONICAL_CONTEXT),
        "id": f"{origin}/activities/{uuid.uuid4().hex}",
        "type": "Create",
        "actor": author,
        "object": obj,
    }


def signed_headers(
    sender: TestNode,
    url: str,
    body: bytes,
    *,
    method: str = "POST",
    created: datetime | None = None,
    key: Ed25519PrivateKey | None = None,
    key_id: str | None = None,
    content_type: str = "application/activity+json",
) -> dict[str, str]:
    headers = {"Content-Type": content_type} if method == "POST" else {}
    headers.update(
        sign_request(
            method,
            url,
            headers,
            body if method == "POST" else None,
            key_id=key_id or sender.state.federation.signing_key.key_id,
            private_key=key or sender.state.key.private_key,
            created=created,
        )
    )
    return headers


async def post_inbox(
    sender: TestNode, target: TestNode, activity: Any, **options: Any
) -> tuple[int, Any]:
    """POST ``activity`` to ``target``'s inbox, signed as ``sender`` (options tamper it)."""
    body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
    url = target.base_url + "/inbox"
    headers = signed_headers(sender, url, body, **options)
    return await target.request("POST", "/inbox", data=body, headers=headers)


async def inbox_count(node: TestNode) -> int:
    async with node.state.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxEntry)) or 0)
