"""The HTTP request we sign or verify, independent of any HTTP framework.

Callers build an :class:`HttpMessage` from whatever they hold (an aiohttp
request on the inbox side, the outgoing request on the delivery side). On the
receiving side ``url`` must be the URL the *sender* addressed, i.e. built from
the node's configured public origin and the request path, not from what a
reverse proxy forwarded: ``@target-uri`` is signed and would otherwise differ.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

#: Methods whose requests carry content: their signatures must cover a body
#: digest even when the body happens to be empty, so that an attacker cannot
#: strip a body and keep the signature.
CONTENT_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Headers(Mapping[str, str]):
    """An immutable, case-insensitive view of request header fields.

    Repeated fields are combined in arrival order with ", " (RFC 9110 §5.3,
    RFC 9421 §2.1, draft-cavage-12 §2.3 rule 4.1), and leading/trailing
    whitespace is trimmed, so both signature schemes see the value they sign.
    Iteration yields each field name once, spelled as it first arrived.
    """

    __slots__ = ("_fields",)

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        fields: dict[str, tuple[str, list[str]]] = {}
        # ``items()`` rather than ``keys()`` so that multidicts (aiohttp's
        # CIMultiDictProxy) contribute every field line, not only the first.
        for name, value in (source or {}).items():
            lowered = name.lower()
            trimmed = value.strip(" \t")
            if lowered in fields:
                fields[lowered][1].append(trimmed)
            else:
                fields[lowered] = (name, [trimmed])
        self._fields: dict[str, tuple[str, str]] = {
            key: (original, ", ".join(values)) for key, (original, values) in fields.items()
        }

    def __getitem__(self, name: str) -> str:
        return self._fields[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._fields

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass(frozen=True)
class HttpMessage:
    """A request as signed: method, absolute URL, header fields and body bytes.

    ``headers`` may be any mapping (a multidict keeps repeated fields); it is
    normalised into :class:`Headers`. ``body`` is the exact bytes on the wire,
    ``b""`` when there is none.
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=Headers)
    body: bytes = b""

    def __post_init__(self) -> None:
        # Frozen dataclass: normalise through object.__setattr__ once, here.
        object.__setattr__(self, "method", self.method.upper())
        if not isinstance(self.headers, Headers):
            object.__setattr__(self, "headers", Headers(self.headers))


def requires_digest(message: HttpMessage) -> bool:
    """Whether a signature on ``message`` must cover a digest of its body."""
    return message.method in CONTENT_METHODS or bool(message.body)
