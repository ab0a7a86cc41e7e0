"""Origins of IRIs, and the "same origin" rule that stops one node speaking for another.

Every activity a node receives is signed by a peer *node*. The signature proves which
node sent it, not what the activity claims; without these checks a peer could send
``Create`` of an object with an id on another node (or on ours) and overwrite it, or
put words in the mouth of an actor who lives elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"https": 443, "http": 80}


class OriginError(ValueError):
    """An IRI is not an absolute http(s) URL, or is on the wrong origin."""


def origin_of(iri: str) -> str:
    """``scheme://host[:port]``, lower-cased, default port dropped.

    Userinfo is refused: ``https://us.example@evil.example/`` has host evil.example,
    and an IRI that reads as one host but is another is never legitimate here.
    """
    if not isinstance(iri, str):  # a peer's JSON may hold anything where an IRI belongs
        raise OriginError(f"{iri!r:.80} is not a URL")
    if len(iri) > CACHED_LENGTH:
        return _parse_origin(iri)
    return _cached_origin(iri)


# The longest IRI whose origin is kept: what the IRI columns hold. Longer ones (a peer,
# or anyone sending a signature's keyId, chooses them) are parsed each time, so that
# the cache cannot be made to pin megabytes.
CACHED_LENGTH = 500


# Kept: a case page names each reply's author's origin, an activity its actor's, and
# parsing a URL costs more than the rest of either. Refusals are not kept (lru_cache).
@lru_cache(maxsize=4096)
def _cached_origin(iri: str) -> str:
    return _parse_origin(iri)


def _parse_origin(iri: str) -> str:
    try:
        parts = urlsplit(iri)
        port = parts.port
    except ValueError:
        raise OriginError(f"{iri!r} is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise OriginError(f"{iri!r} is not an absolute http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise OriginError(f"{iri!r} carries user information")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def same_origin(iri: str, origin: str) -> bool:
    """Whether ``iri`` lives on ``origin`` (an ``origin_of`` value)."""
    try:
        return origin_of(iri) == origin
    except OriginError:
        return False


def require_origin(iri: str | None, origin: str, what: str) -> str:
    """``iri`` itself, if it is on ``origin``; otherwise OriginError naming ``what``."""
    if not iri:
        raise OriginError(f"{what} has no id")
    if not same_origin(iri, origin):
        raise OriginError(f"{what} {iri!r} is not on the sending node's origin {origin}")
    return iri
