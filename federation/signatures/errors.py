"""Signature failures, split by the HTTP status the receiver should answer with.

The split follows the protocol decision "malformed signature -> 400, wrong or
unknown key -> 401": a sender that cannot even produce a well-formed signature
needs to fix its software, while a well-formed signature that does not check
out is an authentication failure.
"""


class SignatureError(Exception):
    """Base class for every signature failure; ``status`` is the HTTP answer."""

    status: int = 400


class MalformedSignature(SignatureError):
    """The signature cannot be evaluated: missing or unparsable headers, a
    required component left uncovered, no ``created``, an unknown algorithm."""

    status = 400


class RejectedSignature(SignatureError):
    """The signature was evaluated and is not acceptable: it does not verify,
    the body does not match its digest, it is outside the clock window, or the
    key does not fit the algorithm."""

    status = 401
