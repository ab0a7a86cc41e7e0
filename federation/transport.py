"""Signed HTTP between nodes: every GET and POST carries the sending node's signature.

Responses are read with a size cap and a deadline, and redirects are not followed:
a signature covers the exact target URI, and a peer that moved must be re-added by
its operator rather than silently followed somewhere else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.delivery.outcome import Outcome, judge, network_failure
from federation.signatures import sign_request

ACTIVITY_JSON = "application/activity+json"
LD_JSON_AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
ACCEPT = f"{ACTIVITY_JSON}, {LD_JSON_AS}"
ACCEPTED_CONTENT_TYPES = frozenset({ACTIVITY_JSON, "application/ld+json", "application/json"})

DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5, sock_read=15)
MAX_RESPONSE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SigningKey:
    """The key a node signs its requests with; ``key_id`` is its IRI on the node actor."""

    key_id: str
    private_key: Ed25519PrivateKey = field(repr=False)


class FetchError(Exception):
    """A signed GET did not yield a JSON document; ``status`` is None for network errors."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"fetching {url} failed: {reason}")
        self.url = url
        self.status = status


def _signed_headers(
    method: str, url: str, body: bytes | None, key: SigningKey | None, extra: dict[str, str]
) -> dict[str, str]:
    headers = dict(extra)
    if key is not None:
        headers.update(
            sign_request(method, url, headers, body, key_id=key.key_id, private_key=key.private_key)
        )
    return headers


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > limit:
        raise ValueError(f"response of {declared} bytes exceeds {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ValueError(f"response exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def get_json(
    session: aiohttp.ClientSession,
    url: str,
    key: SigningKey | None,
    *,
    max_bytes: int = MAX_RESPONSE_BYTES,
    client_timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
) -> Any:
    """GET an ActivityStreams document (signed when ``key`` is given) and parse it."""
    headers = _signed_headers("GET", url, None, key, {"Accept": ACCEPT})
    try:
        async with session.get(
            url, headers=headers, timeout=client_timeout, allow_redirects=False
        ) as response:
            if response.status != 200:
                raise FetchError(url, f"HTTP {response.status}", response.status)
            if response.content_type not in ACCEPTED_CONTENT_TYPES:
                raise FetchError(url, f"unexpected content type {response.content_type!r}", 200)
            body = await _read_capped(response, max_bytes)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise FetchError(url, str(error) or type(error).__name__) from None
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FetchError(url, f"invalid JSON: {error}", 200) from None


async def post_activity(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    key: SigningKey,
    *,
    client_timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
) -> Outcome:
    """POST one activity, signed now (never a stored signature), and judge the answer."""
    headers = _signed_headers(
        "POST", url, body, key, {"Content-Type": ACTIVITY_JSON, "Accept": ACCEPT}
    )
    try:
        async with session.post(
            url, data=body, headers=headers, timeout=client_timeout, allow_redirects=False
        ) as response:
            # Drain a little of the body so the connection can be reused; ignore the rest.
            await response.content.read(4096)
            return judge(response.status, response.headers.get("Retry-After"))
    except (aiohttp.ClientError, TimeoutError) as error:
        return network_failure(str(error) or type(error).__name__)


async def get_bytes(
    session: aiohttp.ClientSession,
    url: str,
    key: SigningKey,
    *,
    max_bytes: int,
    client_timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
) -> tuple[bytes, str]:
    """A signed GET of a binary resource (an image): its bytes and content type."""
    headers = _signed_headers("GET", url, None, key, {"Accept": "image/*"})
    try:
        async with session.get(
            url, headers=headers, timeout=client_timeout, allow_redirects=False
        ) as response:
            if response.status != 200:
                raise FetchError(url, f"HTTP {response.status}", response.status)
            return await _read_capped(response, max_bytes), response.content_type
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise FetchError(url, str(error) or type(error).__name__) from None
