"""Replies as ActivityStreams Notes with their author node's integrity proof.

A reply travels as the Note its author's node signed (eddsa-jcs-2022): the author
node sends it to the case's origin, and the origin relays that very object to every
peer in an ``Announce`` carrying the reply's place in the thread. Whoever receives
it checks the proof against the author node's key, so the origin can relay replies
but cannot forge or alter them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.inbound.errors import InboundRejected
from federation.jsonld import CANONICAL_CONTEXT, as_list, id_of, parse_datetime
from federation.origin import OriginError, origin_of
from federation.proofs import ProofError, add_proof, verify_proof
from node.cases.activities import RemoteAuthor, attestation_of, iso, parse_author
from node.cases.service import Author
from node.peers.directory import ProofKeys

CONTENT_MAX = 10_000
CONTEXT = list(CANONICAL_CONTEXT)
_FRAGMENT = re.compile(r"#.*$")


def author_json(author: Author) -> dict[str, Any]:
    return {
        "id": author.iri,
        "type": "Pseudonym" if author.anonymous else "Person",
        "name": author.pseudonym if author.anonymous else author.name,
        "specialty": [author.specialty],
        "country": author.country,
        "attestation": attestation_of(author.iri),
    }


def signed_note(
    *,
    iri: str,
    author: Author,
    content: str,
    thread: str,
    in_reply_to: str,
    published: datetime,
    updated: datetime | None,
    private_key: Ed25519PrivateKey,
    key_id: str,
) -> dict[str, Any]:
    note: dict[str, Any] = {
        "@context": CONTEXT,
        "id": iri,
        "type": "Note",
        "attributedTo": author_json(author),
        "anonymous": author.anonymous,
        "content": content,
        "thread": thread,
        "inReplyTo": in_reply_to,
        "published": iso(published),
    }
    if updated is not None:
        note["updated"] = iso(updated)
    return add_proof(note, private_key=private_key, verification_method=key_id)


def signed_tombstone(
    *, iri: str, deleted: datetime, private_key: Ed25519PrivateKey, key_id: str
) -> dict[str, Any]:
    tombstone = {
        "@context": CONTEXT,
        "id": iri,
        "type": "Tombstone",
        "deleted": iso(deleted),
    }
    return add_proof(tombstone, private_key=private_key, verification_method=key_id)


@dataclass(frozen=True)
class RemoteNote:
    iri: str
    author: RemoteAuthor
    content: str
    thread: str
    in_reply_to: str
    published: datetime
    updated: datetime | None


def parse_note(note: Any) -> RemoteNote:
    """Check a reply's shape; its author must live on the note's own origin."""
    if not isinstance(note, dict) or note.get("type") != "Note":
        raise InboundRejected("the object must be an embedded Note")
    iri = id_of(note)
    thread = id_of(note.get("thread"))
    in_reply_to = id_of(note.get("inReplyTo"))
    if not iri or not thread or not in_reply_to:
        raise InboundRejected("a reply needs an id, a thread and inReplyTo")
    try:
        origin = origin_of(iri)
    except OriginError as error:
        raise InboundRejected(str(error)) from None
    content = note.get("content")
    if not isinstance(content, str) or not content.strip() or len(content) > CONTENT_MAX:
        raise InboundRejected(f"reply content must be 1 to {CONTENT_MAX} characters")
    try:
        published = parse_datetime(note.get("published"))
        updated = parse_datetime(note["updated"]) if note.get("updated") is not None else None
    except ValueError:
        raise InboundRejected("published/updated must be date-times with an offset") from None
    author = parse_author(note.get("attributedTo"), origin)
    return RemoteNote(
        iri=iri,
        author=author,
        content=content,
        thread=thread,
        in_reply_to=in_reply_to,
        published=published,
        updated=updated,
    )


async def check_proof(document: Any, keys: ProofKeys, *, allowed_origins: set[str]) -> None:
    """The document's proof must verify with a key of one of ``allowed_origins``."""
    if not isinstance(document, dict):
        raise InboundRejected("a relayed object must be an embedded object")
    proofs = as_list(document.get("proof"))
    if len(proofs) != 1 or not isinstance(proofs[0], dict):
        raise InboundRejected("a relayed object needs exactly one integrity proof")
    method = proofs[0].get("verificationMethod")
    if not isinstance(method, str):
        raise InboundRejected("the proof names no verification method")
    try:
        signer = origin_of(_FRAGMENT.sub("", method))
    except OriginError as error:
        raise InboundRejected(f"the proof's key is not a node key: {error}") from None
    if signer not in allowed_origins:
        raise InboundRejected(
            "the proof is not by the author's node", status=403, slug="wrong-origin"
        )
    key = await keys.key_for(method)
    if key is None:
        raise InboundRejected("the proof's key is unknown", status=401, slug="unknown-key")
    try:
        verify_proof(document, resolve_key=lambda vm: key if vm == method else None)
    except ProofError as error:
        raise InboundRejected(
            f"the integrity proof does not verify: {error}", status=401, slug="bad-proof"
        ) from None
