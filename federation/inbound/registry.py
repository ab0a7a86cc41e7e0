"""Dispatch of activities to handlers by activity type and object type.

Each handler has ``verify()`` — checks that need no database write (shape, origin
rules specific to the activity), run before the activity is stored and answered 202
— and ``receive()``, run later by the inbox worker to apply it. A handler may add
``receive_many()`` for activities that come in bursts (see BatchHandler). The node
registers its feature handlers at start-up; this package knows nothing about cases or polls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from federation.inbound.errors import Unsupported
from federation.jsonld import id_of

Context = TypeVar("Context", contravariant=True)

ANY_OBJECT = "*"


@dataclass(frozen=True)
class Envelope:
    """An activity that passed the pipeline: who signed it and what it says."""

    activity: dict[str, Any]
    signer_origin: str  # origin of the peer node whose key signed the request
    key_id: str
    # The JSON exactly as the sender wrote it: integrity proofs are over these bytes'
    # structure, not over the normalized form handlers otherwise read.
    raw: Any = None
    # ``raw`` as the text that came over the wire, when it came in a request of its
    # own (an inbox POST): stored as it is rather than serialized once more.
    raw_json: str | None = None
    # What a handler's verify() worked out (a parsed object, say), for its receive()
    # when the node applies this very envelope; receive() must not rely on it, as an
    # envelope read back from storage comes without it.
    checked: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def id(self) -> str:
        return str(self.activity["id"])

    @property
    def type(self) -> str:
        return str(self.activity["type"])

    @property
    def object(self) -> Any:
        return self.activity.get("object")

    @property
    def object_id(self) -> str | None:
        return id_of(self.object)


class ActivityHandler(Protocol[Context]):
    activity_type: str
    object_type: str  # or ANY_OBJECT

    async def verify(self, envelope: Envelope) -> None:
        """Raise InboundRejected if the activity must not be stored."""

    async def receive(self, envelope: Envelope, context: Context) -> None:
        """Apply the activity; raising leaves it to be retried by the inbox worker."""


class BatchHandler(ActivityHandler[Context], Protocol[Context]):
    """A handler that can also apply a run of its activities at once."""

    async def receive_many(self, envelopes: Sequence[Envelope], context: Context) -> None:
        """Apply all of them, in order, or raise (the worker then applies them one by one)."""


def object_type_of(activity: dict[str, Any]) -> str | None:
    value = activity.get("object")
    if isinstance(value, dict):
        kind = value.get("type")
        return kind if isinstance(kind, str) else None
    return None


@dataclass
class HandlerRegistry(Generic[Context]):
    handlers: dict[tuple[str, str], ActivityHandler[Context]]

    @classmethod
    def of(cls, handlers: Iterable[ActivityHandler[Context]]) -> HandlerRegistry[Context]:
        table: dict[tuple[str, str], ActivityHandler[Context]] = {}
        for handler in handlers:
            key = (handler.activity_type, handler.object_type)
            if key in table:
                raise ValueError(f"two handlers for {key}")
            table[key] = handler
        return cls(table)

    def find(self, activity: dict[str, Any]) -> ActivityHandler[Context]:
        kind = activity.get("type")
        if not isinstance(kind, str):
            raise Unsupported("the activity has no single type")
        object_type = object_type_of(activity)
        handler = self.handlers.get((kind, object_type or ANY_OBJECT)) or self.handlers.get(
            (kind, ANY_OBJECT)
        )
        if handler is None:
            what = f"{kind} of {object_type}" if object_type else kind
            raise Unsupported(f"this node does not accept {what}")
        return handler
