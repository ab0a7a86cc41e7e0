"""Body digests: ``Content-Digest`` (RFC 9530) and legacy ``Digest`` (RFC 3230).

A signature covers the digest header, not the body; the receiver must check
that the header matches the bytes it actually received, or a signed request
could carry any body. Parsing problems are :class:`MalformedSignature` (400);
a well-formed digest that does not match is :class:`RejectedSignature` (401).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping
from types import MappingProxyType

import http_sf
from http_message_signatures import ContentDigest

from federation.signatures.errors import MalformedSignature, RejectedSignature

# Only digests that still resist collisions. Deprecated ones (md5, sha) a
# sender may add are ignored rather than trusted; at least one of these must
# be present.
_CONTENT_DIGEST_ALGORITHMS: Mapping[str, Callable[[bytes], bytes]] = MappingProxyType(
    {
        "sha-256": lambda data: hashlib.sha256(data).digest(),
        "sha-512": lambda data: hashlib.sha512(data).digest(),
    }
)
# RFC 3230 names are case-insensitive; keys here are lowercased.
_LEGACY_DIGEST_ALGORITHMS = _CONTENT_DIGEST_ALGORITHMS


def make_content_digest(body: bytes) -> str:
    """The ``Content-Digest`` value we send: ``sha-256=:<base64>:``."""
    return ContentDigest.create(body)


def make_legacy_digest(body: bytes) -> str:
    """The ``Digest`` value cavage peers expect: ``SHA-256=<base64>``."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def _reject_duplicate(key: str, context: str) -> None:
    # Two values for one algorithm let a sender show each verifier the one it
    # likes (structured fields would silently keep the last).
    raise MalformedSignature(f"Content-Digest repeats the {context} {key!r}")


def verify_content_digest(value: str, body: bytes) -> None:
    """Check a ``Content-Digest`` field value against the received body."""
    try:
        parsed = http_sf.parse(
            value.encode("ascii"), tltype="dictionary", on_duplicate_key=_reject_duplicate
        )
    except (UnicodeEncodeError, ValueError) as exc:
        raise MalformedSignature("Content-Digest is not a structured dictionary") from exc
    if not isinstance(parsed, dict):
        raise MalformedSignature("Content-Digest is not a structured dictionary")
    digests: dict[str, bytes] = {}
    for algorithm, member in parsed.items():
        if not isinstance(member, tuple) or not isinstance(member[0], bytes):
            raise MalformedSignature("Content-Digest values must be byte sequences")
        digests[algorithm] = member[0]
    _compare(digests, body, _CONTENT_DIGEST_ALGORITHMS, "Content-Digest")


def verify_legacy_digest(value: str, body: bytes) -> None:
    """Check an RFC 3230 ``Digest`` value (``SHA-256=<base64>[, ...]``)."""
    digests: dict[str, bytes] = {}
    for entry in value.split(","):
        name, sep, encoded = entry.strip().partition("=")
        if not sep or not name:
            raise MalformedSignature("Digest entries must look like ALGORITHM=BASE64")
        algorithm = name.lower()
        if algorithm in digests:
            raise MalformedSignature(f"Digest repeats the {name!r} algorithm")
        try:
            digests[algorithm] = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedSignature("Digest value is not valid base64") from exc
    _compare(digests, body, _LEGACY_DIGEST_ALGORITHMS, "Digest")


def _compare(
    digests: Mapping[str, bytes],
    body: bytes,
    algorithms: Mapping[str, Callable[[bytes], bytes]],
    field: str,
) -> None:
    usable = {name: digest for name, digest in digests.items() if name in algorithms}
    if not usable:
        raise MalformedSignature(f"{field} has no sha-256 or sha-512 digest")
    for name, digest in usable.items():
        # Every supported digest must match: checking only the first would let
        # a second, wrong one ride along unnoticed by us but not by others.
        if not hmac.compare_digest(digest, algorithms[name](body)):
            raise RejectedSignature(f"{field} does not match the request body")
