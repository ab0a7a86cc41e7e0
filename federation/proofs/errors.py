"""Why a data-integrity proof was not accepted.

Every failure is a :class:`ProofError`; the subclasses exist so logs and tests
can tell a forged object (:class:`InvalidSignatureError`) from a peer running
different software (:class:`UnsupportedProofError`) or a key we do not know.
"""

from __future__ import annotations


class ProofError(ValueError):
    """The proof is missing, malformed or does not verify."""


class MissingProofError(ProofError):
    """The document carries no proof."""


class MultipleProofsError(ProofError):
    """More than one proof (a proof set or chain), which Curbside does not use."""


class MalformedProofError(ProofError):
    """A required proof field is missing or has the wrong type or format."""


class MalformedProofValueError(MalformedProofError):
    """``proofValue`` is not a base58btc multibase Ed25519 signature."""


class UnsupportedProofError(ProofError):
    """Not a ``DataIntegrityProof`` with a cryptosuite we implement."""


class ProofPurposeError(ProofError):
    """The proof was made for another purpose than the one we check."""


class ExpiredProofError(ProofError):
    """The proof's ``expires`` time has passed."""


class UnknownKeyError(ProofError):
    """``verificationMethod`` names no key we know."""


class MalformedKeyError(ProofError):
    """A Multikey value is not a base58btc Ed25519 public key."""


class ContextMismatchError(ProofError):
    """The document's ``@context`` is not the one the proof signed."""


class UncanonicalizableError(ProofError):
    """The document cannot be canonicalized with JCS (RFC 8785), e.g. an
    integer beyond 2**53 or a lone surrogate."""


class InvalidSignatureError(ProofError):
    """The signature does not match the document and proof options.

    One signature covers both, so a changed document and changed proof
    options are indistinguishable: either way the object is not what its
    author's node signed.
    """
