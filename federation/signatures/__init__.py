"""HTTP message signatures for node-to-node requests.

Sending
    Every server-to-server request is signed with the sending node's Ed25519
    key per RFC 9421 (:func:`sign_request`): ``Signature-Input`` /
    ``Signature`` under the label ``sig1``, covering ``@method``,
    ``@target-uri`` and, when there is a body, ``content-digest`` (sha-256),
    with the parameters ``created``, ``keyid`` and ``alg="ed25519"``.
    :func:`sign_request_cavage` signs the draft-cavage-12 way for peers that
    only understand that.

Receiving, in two steps
    1. :func:`read_signature` parses the request's signature (RFC 9421 when
       ``Signature-Input`` is present, otherwise a draft-cavage-12
       ``Signature`` header with ``rsa-sha256`` or ``hs2019``) and checks its
       structure, the required coverage, the body digest and the clock
       window. It returns a :class:`SignatureClaim` naming the ``key_id``.
    2. The caller looks the key up (database, or a signed fetch) and calls
       :func:`verify_signature`.

    Failures are :class:`SignatureError` subclasses carrying the HTTP status:
    :class:`MalformedSignature` (400) for missing or unparsable headers,
    uncovered required components, a missing ``created``, bad structured
    fields or an unknown algorithm; :class:`RejectedSignature` (401) for a
    signature that does not verify, a body that does not match its digest, a
    signature outside the clock window, or a key that does not fit the
    algorithm. An unknown ``key_id`` is the caller's 401.

Multiple signatures
    An RFC 9421 request must carry exactly one signature (one label). Labels
    are not signed, so picking "ours" among several would be choosing by an
    unauthenticated name; a request with two or more is malformed (400).

Clock window
    A signature's creation time must be no more than 300 seconds old and no
    more than 60 seconds in the future, measured on the receiver's clock
    (:data:`DEFAULT_WINDOW`, a :class:`ClockWindow`). The creation time is
    the signed ``created`` parameter. For draft-cavage-12 it is ``created``
    when ``(created)`` is among the signed headers, otherwise the signed
    ``Date`` header; when both are signed, both must be inside the window.
    An ``expires`` parameter, when signed, must also not have passed. The
    window bounds how long a captured request can be replayed; receivers
    still de-duplicate activities by id.
"""

from federation.signatures.api import (
    read_signature,
    sign_request,
    sign_request_cavage,
    verify_signature,
)
from federation.signatures.claim import PublicKey, SignatureClaim
from federation.signatures.clock import DEFAULT_WINDOW, ClockWindow
from federation.signatures.errors import MalformedSignature, RejectedSignature, SignatureError
from federation.signatures.message import Headers, HttpMessage

__all__ = [
    "DEFAULT_WINDOW",
    "ClockWindow",
    "Headers",
    "HttpMessage",
    "MalformedSignature",
    "PublicKey",
    "RejectedSignature",
    "SignatureClaim",
    "SignatureError",
    "read_signature",
    "sign_request",
    "sign_request_cavage",
    "verify_signature",
]
