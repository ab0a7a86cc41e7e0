"""Discovery documents: the node actor, WebFinger and NodeInfo 2.1.

A node is one ActivityPub actor of type ``Application`` at ``/actor``. It carries the
node's signing key twice: as a Multikey in ``assertionMethod`` (what Curbside peers
and data-integrity proofs use) and as ``publicKey``/``publicKeyPem`` (what existing
fediverse software reads), plus the key-rotation statements that let a peer move from
a key it trusts to the key that replaced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from federation.jsonld import (
    ACTIVITYSTREAMS,
    CURBSIDE_V1,
    DATA_INTEGRITY_V2,
    SECURITY_V1,
    JsonLdError,
    as_list,
    id_of,
    normalize,
)
from federation.origin import OriginError, origin_of, require_origin
from federation.proofs.multibase import public_key_from_multikey, public_key_to_multikey
from federation.signatures.keys import public_key_pem

ACTOR_CONTEXT = [ACTIVITYSTREAMS, SECURITY_V1, DATA_INTEGRITY_V2, CURBSIDE_V1]
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
SOFTWARE = "curbside"
REPOSITORY = "https://github.com/curbside-network/curbside"


class ActorError(ValueError):
    """A fetched node actor is not usable (wrong origin, no Ed25519 key, bad shape)."""


@dataclass(frozen=True)
class NodeActor:
    """What a peer's actor document tells us."""

    id: str
    origin: str
    name: str
    country: str | None
    inbox: str
    outbox: str | None
    key_id: str
    public_key: Ed25519PublicKey = field(repr=False)
    rotations: tuple[dict[str, Any], ...] = ()


def actor_url(base_url: str) -> str:
    return f"{base_url}/actor"


def node_actor_document(
    *,
    base_url: str,
    name: str,
    country: str,
    languages: list[str],
    key_id: str,
    public_key: Ed25519PublicKey,
    rotations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    actor = actor_url(base_url)
    document: dict[str, Any] = {
        "@context": ACTOR_CONTEXT,
        "id": actor,
        "type": "Application",
        "preferredUsername": "node",
        "name": name,
        "summary": f"Curbside node for {country}",
        "url": base_url,
        "inbox": f"{base_url}/inbox",
        "outbox": f"{base_url}/outbox",
        "endpoints": {"sharedInbox": f"{base_url}/inbox"},
        "country": country,
        "publicKey": {"id": key_id, "owner": actor, "publicKeyPem": public_key_pem(public_key)},
        "assertionMethod": [
            {
                "id": key_id,
                "type": "Multikey",
                "controller": actor,
                "publicKeyMultibase": public_key_to_multikey(public_key),
            }
        ],
    }
    if languages:
        document["contentMap"] = {language: name for language in languages}
    if rotations:
        document["keyRotation"] = rotations
    return document


def parse_node_actor(document: Any, *, expected_origin: str) -> NodeActor:
    """Read a fetched node actor; everything it names must be on ``expected_origin``."""
    try:
        actor = normalize(document)
    except JsonLdError as error:
        raise ActorError(f"the actor document is not valid JSON-LD: {error}") from None
    try:
        actor_id = require_origin(actor.get("id"), expected_origin, "the actor")
        inbox = require_origin(id_of(actor.get("inbox")), expected_origin, "the inbox")
        outbox_ref = id_of(actor.get("outbox"))
        outbox = require_origin(outbox_ref, expected_origin, "the outbox") if outbox_ref else None
    except (OriginError, JsonLdError) as error:
        raise ActorError(str(error)) from None
    if actor.get("type") not in ("Application", "Service"):
        raise ActorError(f"the actor is a {actor.get('type')!r}, not a node (Application)")
    key_id, public_key = _multikey(actor, actor_id, expected_origin)
    country = actor.get("country")
    name = actor.get("name")
    return NodeActor(
        id=actor_id,
        origin=expected_origin,
        name=name if isinstance(name, str) else expected_origin,
        country=country if isinstance(country, str) else None,
        inbox=inbox,
        outbox=outbox,
        key_id=key_id,
        public_key=public_key,
        rotations=tuple(r for r in as_list(document.get("keyRotation")) if isinstance(r, dict)),
    )


def _multikey(actor: dict[str, Any], actor_id: str, origin: str) -> tuple[str, Ed25519PublicKey]:
    for method in as_list(actor.get("assertionMethod")):
        if not isinstance(method, dict) or method.get("type") != "Multikey":
            continue
        if id_of(method.get("controller")) != actor_id:
            continue
        key_id = method.get("id")
        if not isinstance(key_id, str) or not _on(key_id, origin):
            continue
        try:
            return key_id, public_key_from_multikey(method.get("publicKeyMultibase"))
        except ValueError as error:
            raise ActorError(f"the key {key_id} is not a valid Ed25519 Multikey: {error}") from None
    raise ActorError("the actor has no Ed25519 Multikey in assertionMethod")


def _on(iri: str, origin: str) -> bool:
    try:
        return origin_of(iri) == origin
    except OriginError:
        return False


def webfinger_document(base_url: str, domain: str) -> dict[str, Any]:
    actor = actor_url(base_url)
    return {
        "subject": f"acct:node@{domain}",
        "aliases": [actor],
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": actor},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": base_url},
        ],
    }


def webfinger_resources(base_url: str, domain: str) -> frozenset[str]:
    """The ``resource`` values WebFinger answers for: the node actor only (members are
    not discoverable, so nobody can enumerate a country's physicians)."""
    return frozenset({f"acct:node@{domain}", actor_url(base_url), base_url, f"{base_url}/"})


def nodeinfo_links(base_url: str) -> dict[str, Any]:
    return {"links": [{"rel": NODEINFO_SCHEMA, "href": f"{base_url}/nodeinfo/2.1"}]}


def nodeinfo_document(
    *, version: str, name: str, country: str, languages: list[str], base_url: str
) -> dict[str, Any]:
    return {
        "version": "2.1",
        "software": {
            "name": SOFTWARE,
            "version": version,
            "repository": REPOSITORY,
            "homepage": REPOSITORY,
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        # Membership is granted by the national register, never by self sign-up alone.
        "openRegistrations": False,
        # Head counts are left out on purpose: they are not needed to federate.
        "usage": {"users": {}},
        "metadata": {
            "nodeName": name,
            "country": country,
            "languages": languages,
            "actor": actor_url(base_url),
            "federation": "allowlist",
        },
    }
