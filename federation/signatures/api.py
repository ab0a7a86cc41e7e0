"""The two-step verify and the signers, dispatching to the two schemes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.signatures import cavage, rfc9421
from federation.signatures.cavage import CavageAlgorithm, CavagePrivateKey
from federation.signatures.claim import PublicKey, SignatureClaim
from federation.signatures.clock import DEFAULT_WINDOW, ClockWindow, utc_now
from federation.signatures.message import HttpMessage


def read_signature(
    message: HttpMessage,
    *,
    now: datetime | None = None,
    window: ClockWindow = DEFAULT_WINDOW,
) -> SignatureClaim:
    """Parse and check a request's signature, before its key is looked up.

    RFC 9421 when ``Signature-Input`` is present, otherwise cavage. Checks the
    structure, the required coverage, the body digest and the clock window.
    Raises :class:`MalformedSignature` (400) or :class:`RejectedSignature`
    (401). The claim is *not* authenticated until :func:`verify_signature`.
    """
    moment = utc_now(now)
    if "Signature-Input" in message.headers:
        return rfc9421.read(message, moment, window)
    return cavage.read(message, moment, window)


def verify_signature(claim: SignatureClaim, message: HttpMessage, public_key: PublicKey) -> None:
    """Verify ``claim`` over ``message`` with the key found for ``claim.key_id``.

    Raises :class:`RejectedSignature` when the signature does not verify or
    the key type does not fit the algorithm.
    """
    if claim.scheme == "rfc9421":
        rfc9421.verify(claim, message, public_key)
    else:
        cavage.verify(claim, message, public_key)


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    key_id: str,
    private_key: Ed25519PrivateKey,
    created: datetime | None = None,
) -> dict[str, str]:
    """Sign a node-to-node request (RFC 9421, Ed25519); returns headers to add.

    Covers ``@method``, ``@target-uri`` and, when ``body`` is not None,
    ``content-digest`` (sha-256), with ``created``, ``keyid`` and
    ``alg="ed25519"``. Sign at send time: ``created`` must be fresh when the
    peer reads it.
    """
    return rfc9421.sign(
        method, url, headers, body, key_id=key_id, private_key=private_key, created=created
    )


def sign_request_cavage(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    key_id: str,
    private_key: CavagePrivateKey,
    algorithm: CavageAlgorithm = "rsa-sha256",
    created: datetime | None = None,
) -> dict[str, str]:
    """Sign the draft-cavage-12 way, for peers that only understand it.

    Returns the headers to add (``Signature``, and ``Host``/``Date``/``Digest``
    when missing from ``headers``).
    """
    return cavage.sign(
        method,
        url,
        headers,
        body,
        key_id=key_id,
        private_key=private_key,
        algorithm=algorithm,
        created=created,
    )
