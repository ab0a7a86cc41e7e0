"""Per-thread pseudonyms for anonymous posts.

A pseudonym is a keyed hash (HMAC-SHA256 under the node secret) of the member and the
thread: the same author is the same pseudonym within one thread, and pseudonyms in two
threads cannot be linked without the secret, which never leaves this node.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PREFIX = "anon-"


def pseudonym_for(secret: bytes, member_public_id: str, thread_iri: str) -> str:
    message = f"{member_public_id}\x00{thread_iri}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    # 50 bits of the digest: collisions within one thread are practically impossible,
    # and the handle stays short enough to read aloud in a discussion.
    return PREFIX + base64.b32encode(digest).decode()[:10].lower()


def pseudonym_iri(base_url: str, pseudonym: str) -> str:
    return f"{base_url}/pseudonyms/{pseudonym}"
