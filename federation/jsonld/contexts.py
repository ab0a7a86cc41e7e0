"""Bundled JSON-LD contexts and the document loader that serves only them.

Fetching a context named by an incoming document would let any sender make us
issue HTTP requests (SSRF, timing, tracking) and would let whoever controls that
URL change what our peers' documents mean. So pyld only ever sees
:func:`load_bundled_document`, which answers from the files in
``federation/contexts/`` and refuses every other URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from importlib.resources import files
from types import MappingProxyType
from typing import Any, Final

from .errors import RemoteContextError

ACTIVITYSTREAMS: Final = "https://www.w3.org/ns/activitystreams"
SECURITY_V1: Final = "https://w3id.org/security/v1"
DATA_INTEGRITY_V2: Final = "https://w3id.org/security/data-integrity/v2"
CURBSIDE_V1: Final = "https://w3id.org/curbside/v1"

#: Namespace IRI of Curbside's own terms (prefix ``cs``).
CURBSIDE_NS: Final = "https://w3id.org/curbside/ns#"

#: The context every normalized document is compacted against, in this order:
#: Curbside's terms come last so they would win over a same-named ActivityStreams
#: term (none is redefined today; keep it that way).
CANONICAL_CONTEXT: Final = (ACTIVITYSTREAMS, DATA_INTEGRITY_V2, CURBSIDE_V1)

_FILES: Final = MappingProxyType(
    {
        ACTIVITYSTREAMS: "activitystreams.jsonld",
        SECURITY_V1: "security-v1.jsonld",
        DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
        CURBSIDE_V1: "curbside-v1.jsonld",
    }
)


#: Canonical URLs of every bundled context.
BUNDLED_CONTEXT_URLS: Final = tuple(_FILES)


def _spellings(url: str) -> Iterator[str]:
    """The forms a context URL is written in the wild.

    Mastodon and friends send ``https://``; older software sends ``http://``;
    some send the ``.jsonld`` file the URL redirects to. All name the same
    document, so all are served from the same file.
    """
    rest = url.removeprefix("https://")
    for scheme in ("https://", "http://"):
        yield scheme + rest
        yield scheme + rest + ".jsonld"


def _read(name: str) -> str:
    return files("federation.contexts").joinpath(name).read_text(encoding="utf-8")


# Raw JSON text, read once. Kept as text (immutable) and parsed per load so
# nothing pyld does to a loaded document can leak into the next one.
_TEXT_BY_CANONICAL_URL: Final = MappingProxyType({url: _read(name) for url, name in _FILES.items()})

#: Every accepted context URL -> the canonical URL of the bundled document.
CONTEXT_URLS: Final[Mapping[str, str]] = MappingProxyType(
    {alias: url for url in _FILES for alias in _spellings(url)}
)


def bundled_context(url: str) -> dict[str, Any]:
    """A fresh copy of the bundled document for ``url`` (any accepted spelling)."""
    canonical = CONTEXT_URLS.get(url)
    if canonical is None:
        raise RemoteContextError(
            f"refusing to load JSON-LD context {url!r}: only bundled contexts are used"
        )
    document: dict[str, Any] = json.loads(_TEXT_BY_CANONICAL_URL[canonical])
    return document


def load_bundled_document(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader: bundled contexts only, never the network.

    ``tag: "static"`` tells pyld's resolved-context cache that the document
    never changes, so each bundled context is processed once per process
    rather than once per call. pyld's stock loaders set no tag, so only this
    loader puts URL-keyed entries in that cache.
    """
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": CONTEXT_URLS.get(url, url),
        "document": bundled_context(url),
        "tag": "static",
    }
