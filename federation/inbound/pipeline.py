"""The fixed inbound pipeline every POST to the shared inbox goes through.

Order matters and is deliberate: cheap checks first, and nothing expensive (JSON-LD
expansion) for a sender we have not authenticated — otherwise any stranger could make
us burn CPU on crafted documents. The node reads the body under its size limit
(413), then calls ``accept``:

1. content type (415)
2. signature: structure and clock window (400/401), key of a trusted peer (401;
   an unknown key id triggers one rate-limited refetch of that peer's actor, which is
   how a rotated key is learnt), verification (401)
3. JSON parse with depth limits (400), JSON-LD normalisation with bundled contexts
   only (400)
4. shape and same-origin rules (400/403)
5. dispatch: a registered handler exists (422) and its ``verify`` passes

The node then, in one transaction, records the signature (the same signed request
twice is a replay: 401) and stores the raw activity (activity ids are unique: a
redelivery is a no-op), answers 202, and a worker runs the handler's ``receive``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol

from federation.inbound.errors import Forbidden, InboundRejected, Unauthenticated
from federation.inbound.registry import Context, Envelope, HandlerRegistry
from federation.jsonld import JsonLdError, id_of, normalize
from federation.origin import OriginError, origin_of, require_origin
from federation.signatures import (
    DEFAULT_WINDOW,
    ClockWindow,
    HttpMessage,
    MalformedSignature,
    PublicKey,
    RejectedSignature,
    SignatureClaim,
    read_signature,
    verify_signature,
)

ACCEPTED_TYPES = frozenset({"application/activity+json", "application/ld+json"})
# Activities whose object must have been minted by the sending node itself.
OWN_OBJECT_ACTIVITIES = frozenset({"Create", "Update", "Delete"})
# Activities whose object is an earlier activity the sending node's actors made.
OWN_ACTIVITY_ACTIVITIES = frozenset({"Undo"})


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    public_key: PublicKey
    origin: str  # the peer node's origin, e.g. "https://de.example"
    # The key as its peer published it (Multikey), when the resolver read it so:
    # confirming the key at store time compares this text, and encoding the key
    # again for every request would cost more than the comparison.
    multibase: str | None = None


class KeyResolver(Protocol):
    async def resolve(self, key_id: str) -> TrustedKey | None:
        """The stored key of a trusted peer, or None. It may come from a cache only
        if whoever acts on the request confirms it (see ``Accepted.key``)."""

    async def refresh(self, key_id: str) -> TrustedKey | None:
        """Refetch the peer's actor (rate-limited) and return its current key, or None."""


@dataclass(frozen=True)
class Accepted:
    """An activity that passed every check, ready to be stored."""

    envelope: Envelope  # its ``raw`` is the JSON as the sender wrote it
    signature_fingerprint: bytes  # for the replay record
    remember_until: datetime  # the replay record can go once the signature expires
    # The key the signature was checked with. A resolver may answer from memory; the
    # node then confirms this key is still its peer's when it stores the activity.
    key: TrustedKey | None = None


def _verifies(claim: SignatureClaim, message: HttpMessage, key: TrustedKey) -> bool:
    try:
        verify_signature(claim, message, key.public_key)
    except RejectedSignature:
        return False
    return True


async def authenticate(
    message: HttpMessage,
    keys: KeyResolver,
    *,
    now: datetime | None = None,
    window: ClockWindow = DEFAULT_WINDOW,
) -> tuple[TrustedKey, SignatureClaim]:
    """Who signed ``message``: a trusted peer's key, or Unauthenticated/InboundRejected."""
    if "Signature" not in message.headers and "Signature-Input" not in message.headers:
        raise Unauthenticated("the request is not signed", slug="signature-required")
    try:
        claim = read_signature(message, now=now, window=window)
    except MalformedSignature as error:
        raise InboundRejected(str(error), slug="malformed-signature") from None
    except RejectedSignature as error:
        raise Unauthenticated(str(error)) from None
    key = await keys.resolve(claim.key_id)
    if key is not None and _verifies(claim, message, key):
        return key, claim
    # Unknown key id, or a signature our stored key does not verify: the peer may
    # have rotated its key. One refetch (the resolver rate-limits it) settles it.
    fresh = await keys.refresh(claim.key_id)
    if fresh is None:
        raise Unauthenticated("the signing key does not belong to a peer of this node")
    if not _verifies(claim, message, fresh):
        raise Unauthenticated("the signature does not verify")
    return fresh, claim


def signature_fingerprint(claim: SignatureClaim) -> bytes:
    return hashlib.sha256(claim.signature).digest()


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise InboundRejected("the JSON is nested too deeply", slug="invalid-json") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, a 4,301-digit number
        raise InboundRejected(f"the body is not JSON: {error}", slug="invalid-json") from None


def _utf8(body: bytes) -> str | None:
    """The body as text, if it is plain UTF-8. JSON may also come as UTF-16 or UTF-32,
    with or without a byte order mark, which json.loads reads in bytes only; an ASCII
    document in UTF-16 is valid UTF-8 too, full of NULs, so the encoding is detected
    the way json.loads detects it."""
    if json.detect_encoding(body) != "utf-8":
        return None
    try:
        return body.decode()
    except UnicodeDecodeError:
        return None


def check_origins(activity: dict[str, Any], signer_origin: str, local_origin: str) -> None:
    """The same-origin rules (see federation.origin for the threat)."""
    try:
        require_origin(activity.get("id"), signer_origin, "the activity")
        require_origin(id_of(activity.get("actor")), signer_origin, "the actor")
        if activity.get("type") in OWN_OBJECT_ACTIVITIES:
            require_origin(id_of(activity.get("object")), signer_origin, "the object")
        if activity.get("type") in OWN_ACTIVITY_ACTIVITIES:
            _require_own_activity(activity.get("object"), signer_origin)
    except (OriginError, JsonLdError) as error:
        raise Forbidden(str(error), slug="wrong-origin") from None
    if signer_origin == local_origin:
        raise Forbidden("a peer may not sign as this node", slug="wrong-origin")


def _require_own_activity(undone: Any, signer_origin: str) -> None:
    """A node may take back only what its own actors did: without this, a peer could
    undo another node's members' helpful marks by naming them. An embedded activity
    (its id is not always kept by the sender) is judged by its actor, and by its id if
    it has one; a referenced one by its id."""
    if isinstance(undone, dict):
        require_origin(id_of(undone.get("actor")), signer_origin, "the undone activity's actor")
        if undone.get("id") is not None:
            require_origin(id_of(undone), signer_origin, "the undone activity")
    else:
        require_origin(id_of(undone), signer_origin, "the undone activity")


def check_shape(activity: dict[str, Any]) -> None:
    for name in ("id", "type", "actor"):
        if name not in activity:
            raise InboundRejected(f"the activity has no {name!r}")
    if not isinstance(activity["id"], str) or not isinstance(activity["type"], str):
        raise InboundRejected("the activity needs exactly one id and one type")
    try:
        origin_of(activity["id"])
    except OriginError as error:
        raise InboundRejected(str(error)) from None


@dataclass
class InboundPipeline(Generic[Context]):
    keys: KeyResolver
    registry: HandlerRegistry[Context]
    local_origin: str
    window: ClockWindow = DEFAULT_WINDOW

    async def accept(self, message: HttpMessage, content_type: str) -> Accepted:
        """Run every check of an inbox POST."""
        if content_type not in ACCEPTED_TYPES:
            raise InboundRejected(
                f"send application/activity+json, not {content_type or 'no content type'}",
                status=415,
                slug="unsupported-media-type",
            )
        now = datetime.now(UTC)
        key, claim = await authenticate(message, self.keys, now=now, window=self.window)
        raw = parse_json(message.body)
        envelope = await self.accept_document(
            raw, signer_origin=key.origin, key_id=key.key_id, raw_json=_utf8(message.body)
        )
        return Accepted(
            envelope=envelope,
            signature_fingerprint=signature_fingerprint(claim),
            remember_until=(claim.created or now) + self.window.max_age + self.window.max_future,
            key=key,
        )

    async def accept_document(
        self, raw: Any, *, signer_origin: str, key_id: str, raw_json: str | None = None
    ) -> Envelope:
        """Steps 4-6 for a document whose sender is already known: an inbox POST after
        its signature checked out, or an item of a peer's outbox fetched with a signed
        GET from that peer during catch-up."""
        try:
            activity = normalize(raw)
        except JsonLdError as error:
            raise InboundRejected(f"invalid JSON-LD: {error}", slug="invalid-json-ld") from None
        check_shape(activity)
        check_origins(activity, signer_origin, self.local_origin)
        envelope = Envelope(
            activity=activity,
            signer_origin=signer_origin,
            key_id=key_id,
            raw=raw,
            raw_json=raw_json,
        )
        handler = self.registry.find(activity)
        await handler.verify(envelope)
        return envelope
