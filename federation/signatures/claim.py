"""What a request claims about its signature, read before the key is known."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeAlias

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

#: Keys a receiver may hold for a peer: Ed25519 for Curbside nodes, RSA for
#: existing fediverse software.
PublicKey: TypeAlias = Ed25519PublicKey | RSAPublicKey

Scheme: TypeAlias = Literal["rfc9421", "cavage"]


@dataclass(frozen=True)
class SignatureClaim:
    """The parsed, structurally checked signature of one request.

    ``read_signature`` returns it once the structure, the required coverage,
    the body digest and the clock window have been checked; the caller then
    looks up ``key_id`` (a database or a signed fetch) and hands the key to
    ``verify_signature``. Nothing in a claim is authenticated until then.

    ``algorithm`` is the algorithm the sender declared, ``None`` when it
    declared none (the key type then decides). For cavage a missing
    ``algorithm`` is reported as ``"hs2019"``, which means the same thing.
    ``covered`` lists the covered components in signed order: RFC 9421
    component identifiers (``@method``, ``content-digest``, ``@query-param;
    name="a"``) or cavage header names (``(request-target)``, ``host``).
    ``created`` is the signed creation time: the ``created`` parameter, or for
    cavage without ``(created)`` the signed ``Date`` header.
    """

    scheme: Scheme
    key_id: str
    algorithm: str | None
    created: datetime | None
    covered: tuple[str, ...]
    expires: datetime | None = None
    #: RFC 9421 dictionary label (not covered by the signature); None for cavage.
    label: str | None = None
    #: Raw signature parameters as received, for logs and for rebuilding the
    #: cavage ``(created)``/``(expires)`` lines exactly as they were signed.
    parameters: tuple[tuple[str, str], ...] = ()
    signature: bytes = field(default=b"", repr=False)

    def parameter(self, name: str) -> str | None:
        """The raw value of a received signature parameter, if present."""
        for key, value in self.parameters:
            if key == name:
                return value
        return None
