"""RFC 9421 HTTP Message Signatures, as Curbside nodes send and require them.

Signing and the cryptographic check go through the ``http-message-signatures``
library (signature base, Ed25519, Content-Digest). This module adds what the
library leaves to its caller: the parse-before-key-lookup split, the coverage
policy, the body digest check against the received bytes, and the clock window.

Policy for a request to be read at all:

* exactly one signature (one label in ``Signature-Input`` and ``Signature``);
  a request with several is malformed, because we would have to guess which
  one the sender meant us to trust and labels are not signed;
* it covers ``@method`` and ``@target-uri``, and ``content-digest`` when the
  request carries content (POST/PUT/PATCH or a non-empty body);
* it has ``keyid`` and ``created``; ``alg``, when given, is ``ed25519`` or
  ``rsa-v1_5-sha256`` (the latter for RSA-keyed fediverse software).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import http_sf
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureAlgorithm,
    HTTPSignatureComponentResolver,
    MappingKeyResolver,
)
from http_message_signatures.algorithms import ED25519, RSA_V1_5_SHA256
from http_sf.compat import Item, Parameters

from federation.signatures.claim import PublicKey, SignatureClaim
from federation.signatures.clock import (
    ClockWindow,
    check_created,
    check_expires,
    from_timestamp,
    utc_now,
)
from federation.signatures.digests import verify_content_digest
from federation.signatures.errors import MalformedSignature, RejectedSignature
from federation.signatures.message import Headers, HttpMessage, requires_digest

#: The label we sign under. Receivers must not depend on it (labels are not
#: signed); it only names the signature in logs.
LABEL = "sig1"
#: Components every Curbside signature covers; ``content-digest`` is added
#: whenever there is a body.
SIGNED_COMPONENTS: tuple[str, ...] = ("@method", "@target-uri")
REQUIRED_COMPONENTS: frozenset[str] = frozenset(SIGNED_COMPONENTS)
DIGEST_COMPONENT = "content-digest"

_ALGORITHMS: Mapping[str, type[HTTPSignatureAlgorithm]] = MappingProxyType(
    {
        "ed25519": ED25519,
        "rsa-v1_5-sha256": RSA_V1_5_SHA256,
    }
)
_KEY_TYPES: Mapping[type[HTTPSignatureAlgorithm], type[PublicKey]] = MappingProxyType(
    {
        ED25519: Ed25519PublicKey,
        RSA_V1_5_SHA256: RSAPublicKey,
    }
)
# RFC 9421 §2.3 registry; anything else is refused rather than ignored, so a
# parameter we do not understand can never change what we think was signed.
_PARAMETER_TYPES: Mapping[str, type] = MappingProxyType(
    {
        "alg": str,
        "created": int,
        "expires": int,
        "keyid": str,
        "nonce": str,
        "tag": str,
    }
)
_SIGNED_HEADERS = ("content-digest", "signature-input", "signature")


@dataclass(frozen=True)
class _Component:
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def identifier(self) -> str:
        return self.name + (str(Parameters(self.params)) if self.params else "")

    def as_item(self) -> Item:
        item = Item(self.name)
        item.params.update(self.params)
        return item


# -- reading ---------------------------------------------------------------


def read(message: HttpMessage, now: datetime, window: ClockWindow) -> SignatureClaim:
    """Parse and policy-check an RFC 9421 signature (see the module docstring)."""
    claim, components = _parse(message)
    _check_coverage(claim, components, message)
    check_digest(claim, message)
    if claim.created is None:  # _parse guarantees it; keeps type checkers honest
        raise MalformedSignature("signature has no created parameter")
    check_created(claim.created, now, window, "created")
    if claim.expires is not None:
        check_expires(claim.expires, now)
    return claim


def parse(message: HttpMessage) -> SignatureClaim:
    """Structure only, no coverage policy, digest or clock check.

    For published test vectors and diagnostics; production code calls
    ``read_signature``, which applies the policy as well.
    """
    return _parse(message)[0]


def _parse(message: HttpMessage) -> tuple[SignatureClaim, list[_Component]]:
    inputs = _dictionary(message.headers, "Signature-Input")
    signatures = _dictionary(message.headers, "Signature")
    if len(inputs) != 1 or len(signatures) != 1:
        raise MalformedSignature("exactly one signature per request is accepted")
    label, (members, params) = next(iter(inputs.items()))
    if label not in signatures:
        raise MalformedSignature("Signature-Input and Signature use different labels")
    signature, _ = signatures[label]
    if not isinstance(signature, bytes) or not signature:
        raise MalformedSignature("Signature must be a non-empty byte sequence")
    if not isinstance(members, list):
        raise MalformedSignature("Signature-Input member must be an inner list")
    components = _components(members)
    _check_parameters(params)
    key_id = params.get("keyid")
    if not key_id:
        raise MalformedSignature("signature has no keyid parameter")
    if "created" not in params:
        raise MalformedSignature("signature has no created parameter")
    algorithm = params.get("alg")
    if algorithm is not None and algorithm not in _ALGORITHMS:
        raise MalformedSignature("unknown or unsupported signature algorithm")
    _resolve_all(message, components)
    claim = SignatureClaim(
        scheme="rfc9421",
        key_id=key_id,
        algorithm=algorithm,
        created=from_timestamp(params["created"], "created"),
        expires=from_timestamp(params["expires"], "expires") if "expires" in params else None,
        covered=tuple(component.identifier for component in components),
        label=label,
        parameters=tuple((name, str(value)) for name, value in params.items()),
        signature=signature,
    )
    return claim, components


def _dictionary(headers: Mapping[str, str], name: str) -> dict[str, Any]:
    value = headers.get(name)
    if value is None:
        raise MalformedSignature(f"request has no {name} header")

    def reject_duplicate(key: str, context: str) -> None:
        # Structured fields keep the last duplicate; a second "sig1" or
        # "created" is a sender trying two meanings at once, so refuse it.
        raise MalformedSignature(f"{name} repeats the {context} {key!r}")

    try:
        parsed = http_sf.parse(
            value.encode("ascii"), tltype="dictionary", on_duplicate_key=reject_duplicate
        )
    except (UnicodeEncodeError, ValueError) as exc:
        raise MalformedSignature(f"{name} is not a structured dictionary") from exc
    if not isinstance(parsed, dict) or not parsed:
        raise MalformedSignature(f"{name} holds no signature")
    return parsed


def _components(members: list[Any]) -> list[_Component]:
    components: list[_Component] = []
    seen: set[tuple[str, frozenset[tuple[str, Any]]]] = set()
    for member in members:
        name, params = member
        # A Token is not a String; RFC 9421 §2 requires sf-strings here.
        if type(name) is not str or name != name.lower():
            raise MalformedSignature("covered components must be lowercase strings")
        identity = (name, frozenset(params.items()))
        if identity in seen:
            raise MalformedSignature(f"component {name!r} is covered twice")
        seen.add(identity)
        components.append(_Component(name, dict(params)))
    return components


def _check_parameters(params: Mapping[str, Any]) -> None:
    for name, value in params.items():
        expected = _PARAMETER_TYPES.get(name)
        if expected is None:
            raise MalformedSignature(f"unknown signature parameter {name!r}")
        # type() rather than isinstance(): True is an int, a Token is no str.
        if type(value) is not expected:
            raise MalformedSignature(f"signature parameter {name!r} has the wrong type")


def _resolve_all(message: HttpMessage, components: Sequence[_Component]) -> None:
    """Every covered component must exist now, so a gap is a 400, not a 401."""
    try:
        resolver = HTTPSignatureComponentResolver(message)
        for component in components:
            resolver.resolve(component.as_item())
    except HTTPMessageSignaturesException as exc:
        raise MalformedSignature(f"a covered component cannot be resolved: {exc}") from exc


def _check_coverage(
    claim: SignatureClaim, components: Sequence[_Component], message: HttpMessage
) -> None:
    bare = {component.name for component in components if not component.params}
    missing = sorted(REQUIRED_COMPONENTS - bare)
    if missing:
        raise MalformedSignature(f"signature must cover {', '.join(missing)}")
    if requires_digest(message) and not _covers_digest(claim):
        raise MalformedSignature("a request with content must cover content-digest")


def _covers_digest(claim: SignatureClaim) -> bool:
    # '"content-digest";key="sha-256"' and ';sf' cover (part of) the digest
    # too; check_digest verifies every supported member regardless.
    return any(identifier.split(";", 1)[0] == DIGEST_COMPONENT for identifier in claim.covered)


def check_digest(claim: SignatureClaim, message: HttpMessage) -> None:
    """A covered Content-Digest must match the body actually received."""
    if _covers_digest(claim):
        value = message.headers.get("Content-Digest")
        if value is None:
            raise MalformedSignature("covered Content-Digest header is missing")
        verify_content_digest(value, message.body)


# -- verifying -------------------------------------------------------------


class _Verifier(HTTPMessageVerifier):
    """The library's verifier minus its own clock check.

    ``read`` already checked ``created``/``expires`` against the caller's
    ``now`` and window. The library would check again against the wall clock
    with a 5 s skew, contradicting both a pinned ``now`` and our 60 s
    tolerance for fast clocks.
    """

    def validate_created_and_expires(
        self, sig_input: Any, max_age: timedelta | None = None
    ) -> None:
        return None


def verify(claim: SignatureClaim, message: HttpMessage, public_key: PublicKey) -> None:
    """Check the signature cryptographically with the looked-up key."""
    algorithm = _algorithm_for(claim.algorithm, public_key)
    verifier = _Verifier(
        signature_algorithm=algorithm,
        key_resolver=MappingKeyResolver(public_keys={claim.key_id: public_key}, private_keys={}),
    )
    try:
        results = verifier.verify(message, max_age=None)
    except HTTPMessageSignaturesException as exc:
        raise RejectedSignature("signature does not verify") from exc
    (result,) = results
    if result.label != claim.label or result.parameters.get("keyid") != claim.key_id:
        # The claim was read from a different message than the one verified.
        raise RejectedSignature("signature headers changed after read_signature")
    # The body is not part of the signature base; re-check it against the
    # message actually passed here, in case it is not the one that was read.
    check_digest(claim, message)


def _algorithm_for(declared: str | None, key: PublicKey) -> type[HTTPSignatureAlgorithm]:
    if declared is None:
        # RFC 9421 §3.3.7: without alg the key decides. RSA keys in the
        # fediverse sign with PKCS#1 v1.5 / SHA-256.
        if isinstance(key, Ed25519PublicKey):
            return ED25519
        if isinstance(key, RSAPublicKey):
            return RSA_V1_5_SHA256
        raise RejectedSignature("key type is not usable for HTTP signatures")
    algorithm = _ALGORITHMS.get(declared)
    if algorithm is None:
        raise RejectedSignature("unknown or unsupported signature algorithm")
    if not isinstance(key, _KEY_TYPES[algorithm]):
        raise RejectedSignature(f"key type does not fit alg={declared!r}")
    return algorithm


# -- signing ---------------------------------------------------------------


@dataclass
class _OutgoingRequest:
    """The mutable request shape the library's signer writes headers into."""

    method: str
    url: str
    headers: dict[str, str]


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    key_id: str,
    private_key: Ed25519PrivateKey,
    created: datetime | None = None,
    components: Sequence[str] = SIGNED_COMPONENTS,
    label: str = LABEL,
    include_alg: bool = True,
) -> dict[str, str]:
    """Sign with full control over components, label and ``alg``.

    For reproducing published vectors; nodes use ``sign_request``. Returns the
    headers to add: ``Content-Digest`` (when ``body`` is not None and the
    caller did not already set one), ``Signature-Input`` and ``Signature``.
    """
    request = _OutgoingRequest(method=method.upper(), url=url, headers=dict(headers))
    signer = HTTPMessageSigner(
        signature_algorithm=ED25519,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: private_key}),
    )
    try:
        signer.sign(
            request,
            key_id=key_id,
            created=utc_now(created),
            label=label,
            include_alg=include_alg,
            covered_component_ids=tuple(components),
            body=body,
            # A caller-supplied digest is kept but checked against the body.
            use_existing_digest="content-digest" in Headers(headers),
        )
    except HTTPMessageSignaturesException as exc:
        raise ValueError(f"cannot sign this request: {exc}") from exc
    return {
        name: value
        for name, value in request.headers.items()
        if name.lower() in _SIGNED_HEADERS and headers.get(name) != value
    }
