"""draft-cavage-http-signatures-12 ``Signature`` headers, for fediverse interop.

Mastodon, Misskey, GoToSocial and others still sign server-to-server requests
this way. We verify ``rsa-sha256`` and ``hs2019`` (also assumed when
``algorithm`` is absent, as §2.1.3 says the key decides). For ``hs2019`` an
RSA key means RSASSA-PKCS1-v1_5 with SHA-256 and an Ed25519 key means Ed25519:
that is what deployed software sends, although the draft's registry suggests
RSA-PSS / SHA-512.

Policy for a request to be read at all:

* the signature covers ``(request-target)`` and ``host``, plus a signed time:
  ``date`` or ``(created)``;
* it covers ``digest`` (or ``content-digest``) when the request carries
  content (POST/PUT/PATCH or a non-empty body), and every covered digest
  matches the body;
* each signed time is inside the clock window; an unsigned ``created``
  parameter is ignored, since anyone could have written it.

Only the ``Signature`` header is read, not ``Authorization: Signature``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Literal, TypeAlias
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from federation.signatures.cavage_params import parse_parameters
from federation.signatures.claim import PublicKey, SignatureClaim
from federation.signatures.clock import (
    ClockWindow,
    check_created,
    check_expires,
    from_timestamp,
    utc_now,
)
from federation.signatures.digests import (
    make_legacy_digest,
    verify_content_digest,
    verify_legacy_digest,
)
from federation.signatures.errors import MalformedSignature, RejectedSignature
from federation.signatures.message import Headers, HttpMessage, requires_digest

CavageAlgorithm: TypeAlias = Literal["rsa-sha256", "hs2019"]
CavagePrivateKey: TypeAlias = RSAPrivateKey | Ed25519PrivateKey

ALGORITHMS: frozenset[str] = frozenset({"rsa-sha256", "hs2019"})
REQUIRED_HEADERS: tuple[str, ...] = ("(request-target)", "host")
DIGEST_HEADERS: tuple[str, ...] = ("digest", "content-digest")
_PSEUDO_HEADERS = frozenset({"(request-target)", "(created)", "(expires)"})
_INTEGER = re.compile(r"[0-9]{1,12}")
# §2.1.5 allows sub-second precision for expires only.
_DECIMAL = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,9})?")


# -- reading ---------------------------------------------------------------


def read(message: HttpMessage, now: datetime, window: ClockWindow) -> SignatureClaim:
    """Parse and policy-check a cavage signature (see the module docstring)."""
    claim = parse(message)
    covered = set(claim.covered)
    missing = [name for name in REQUIRED_HEADERS if name not in covered]
    if missing:
        raise MalformedSignature(f"signature must cover {', '.join(missing)}")
    if "date" not in covered and "(created)" not in covered:
        raise MalformedSignature("signature must cover date or (created)")
    if requires_digest(message) and covered.isdisjoint(DIGEST_HEADERS):
        raise MalformedSignature("a request with content must cover its digest")
    check_digest(claim, message)
    # Both signed times must hold when both are signed: either alone is
    # enough for a replay window, and a disagreement means tampering or a bug.
    if "(created)" in covered and claim.created is not None:
        check_created(claim.created, now, window, "created")
    if "date" in covered:
        check_created(_http_date(message.headers["date"]), now, window, "Date")
    if claim.expires is not None:
        check_expires(claim.expires, now)
    return claim


def parse(message: HttpMessage) -> SignatureClaim:
    """Structure only, no coverage policy, digest or clock check.

    For published test vectors and diagnostics; production code calls
    ``read_signature``, which applies the policy as well.
    """
    header = message.headers.get("Signature")
    if header is None:
        raise MalformedSignature("request has no Signature-Input or Signature header")
    params = parse_parameters(header)
    key_id = params.get("keyid")
    if not key_id:
        raise MalformedSignature("signature has no keyId parameter")
    signature = _signature_bytes(params.get("signature"))
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in ALGORITHMS:
        raise MalformedSignature("unknown or unsupported signature algorithm")
    covered = _covered(params.get("headers"), algorithm)
    created = _timestamp(params, "created", _INTEGER)
    expires = _timestamp(params, "expires", _DECIMAL)
    if "(created)" in covered and created is None:
        raise MalformedSignature("(created) is covered but there is no created parameter")
    if "(expires)" in covered and expires is None:
        raise MalformedSignature("(expires) is covered but there is no expires parameter")
    # The signature itself is in ``signature``; keep it out of what gets logged.
    parameters = tuple(sorted((k, v) for k, v in params.items() if k != "signature"))
    # Resolving now turns a covered-but-absent header into a 400 up front.
    signing_string(message, covered, dict(parameters))
    if "(created)" in covered:
        signed_created = created
    elif "date" in covered:
        signed_created = _http_date(message.headers["date"])
    else:
        signed_created = None
    return SignatureClaim(
        scheme="cavage",
        key_id=key_id,
        algorithm=algorithm,
        created=signed_created,
        expires=expires if "(expires)" in covered else None,
        covered=covered,
        parameters=parameters,
        signature=signature,
    )


def _signature_bytes(encoded: str | None) -> bytes:
    if not encoded:
        raise MalformedSignature("signature has no signature parameter")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedSignature("signature parameter is not valid base64") from exc
    if not signature:
        raise MalformedSignature("signature parameter is empty")
    return signature


def _covered(headers: str | None, algorithm: str) -> tuple[str, ...]:
    if headers is None:
        # §2.1.6 says "(created)", but Appendix C.1 and every deployed RSA
        # implementation sign "date" by default, and §2.3 forbids (created)
        # with rsa-*; either way the coverage policy then refuses the request.
        return ("date",) if algorithm == "rsa-sha256" else ("(created)",)
    covered = tuple(headers.lower().split())
    if not covered:
        raise MalformedSignature("headers parameter is empty")  # §2.1.6 note 2
    if len(set(covered)) != len(covered):
        raise MalformedSignature("headers parameter lists a header twice")
    if algorithm.startswith("rsa") and {"(created)", "(expires)"} & set(covered):
        raise MalformedSignature("(created) and (expires) are not allowed with rsa-sha256")
    return covered


def _timestamp(params: Mapping[str, str], name: str, pattern: re.Pattern[str]) -> datetime | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not pattern.fullmatch(raw):
        raise MalformedSignature(f"{name} parameter is not a Unix timestamp")
    whole, _, fraction = raw.partition(".")
    moment = from_timestamp(int(whole), name)
    return moment.replace(microsecond=int(fraction[:6].ljust(6, "0"))) if fraction else moment


def _http_date(value: str) -> datetime:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise MalformedSignature("Date header is not an HTTP date") from exc
    # "-0000" yields a naive datetime; HTTP dates are always UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def signing_string(
    message: HttpMessage, covered: tuple[str, ...], params: Mapping[str, str]
) -> str:
    """The draft's §2.3 signing string for ``covered`` over ``message``."""
    lines = []
    for name in covered:
        if name == "(request-target)":
            value = f"{message.method.lower()} {_request_target(message.url)}"
        elif name in _PSEUDO_HEADERS:
            value = params[name.strip("()")]
        elif name.startswith("("):
            raise MalformedSignature(f"unknown pseudo-header {name!r}")
        else:
            found = message.headers.get(name)
            if found is None:
                raise MalformedSignature(f"covered header {name!r} is missing")
            value = found
        # A newline inside a value would forge extra lines of the string.
        if "\n" in value or "\r" in value:
            raise MalformedSignature(f"covered header {name!r} contains a line break")
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def _request_target(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise MalformedSignature("request URL cannot be parsed") from exc
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def check_digest(claim: SignatureClaim, message: HttpMessage) -> None:
    """Every covered digest header must match the body actually received."""
    for name in DIGEST_HEADERS:
        if name in claim.covered:
            verify = verify_legacy_digest if name == "digest" else verify_content_digest
            verify(message.headers[name], message.body)


# -- verifying -------------------------------------------------------------


def verify(claim: SignatureClaim, message: HttpMessage, public_key: PublicKey) -> None:
    """Check the signature cryptographically with the looked-up key."""
    data = signing_string(message, claim.covered, dict(claim.parameters)).encode("utf-8")
    try:
        if isinstance(public_key, RSAPublicKey):
            public_key.verify(claim.signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, Ed25519PublicKey) and claim.algorithm == "hs2019":
            public_key.verify(claim.signature, data)
        else:
            # §2.1.3: an algorithm that contradicts the key MUST be an error.
            raise RejectedSignature(f"key type does not fit algorithm={claim.algorithm!r}")
    except InvalidSignature as exc:
        raise RejectedSignature("signature does not verify") from exc
    check_digest(claim, message)


# -- signing ---------------------------------------------------------------


def sign(
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
    """Sign a request the cavage way; returns the headers to add.

    Covers ``(request-target) host date`` (``hs2019`` adds ``(created)``) and
    ``digest`` when ``body`` is not None. ``Host``, ``Date`` and ``Digest``
    are returned too when ``headers`` lacks them, so that the signed values
    are the ones sent.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unsupported cavage algorithm {algorithm!r}")
    if algorithm == "rsa-sha256" and not isinstance(private_key, RSAPrivateKey):
        raise ValueError("rsa-sha256 needs an RSA private key")
    if '"' in key_id or "\\" in key_id:
        raise ValueError("key_id must not contain quotes or backslashes")
    when = utc_now(created)
    existing = Headers(headers)
    added: dict[str, str] = {}
    if "host" not in existing:
        added["Host"] = _authority(url)
    if "date" not in existing:
        added["Date"] = format_datetime(when.astimezone(UTC), usegmt=True)
    covered = ["(request-target)", "host", "date"]
    if algorithm == "hs2019":
        covered.insert(1, "(created)")
    if body is not None:
        digest = make_legacy_digest(body)
        if "digest" not in existing:
            added["Digest"] = digest
        elif existing["digest"] != digest:
            raise ValueError("the Digest header given does not match the body")
        covered.append("digest")
    params = {"created": str(int(when.timestamp()))}
    message = HttpMessage(method, url, {**existing, **added}, body or b"")
    data = signing_string(message, tuple(covered), params).encode("utf-8")
    if isinstance(private_key, RSAPrivateKey):
        signature = private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = private_key.sign(data)
    created_part = f"created={params['created']}," if algorithm == "hs2019" else ""
    added["Signature"] = (
        f'keyId="{key_id}",algorithm="{algorithm}",{created_part}'
        f'headers="{" ".join(covered)}",'
        f'signature="{base64.b64encode(signature).decode("ascii")}"'
    )
    return added


def _authority(url: str) -> str:
    """The Host value an HTTP client derives from ``url``."""
    parts = urlsplit(url)
    authority = parts.netloc.rpartition("@")[2]
    default_port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    if parts.port is not None and parts.port == default_port:
        authority = authority.rsplit(":", 1)[0]
    return authority.lower()
