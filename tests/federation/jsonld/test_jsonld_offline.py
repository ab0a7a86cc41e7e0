"""A remote @context is never fetched, whatever form the reference takes."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pyld import jsonld  # type: ignore[import-untyped]

from federation.jsonld import (
    CANONICAL_CONTEXT,
    InvalidContextError,
    JsonLdError,
    RemoteContextError,
    load_bundled_document,
    normalize,
)

CONTEXT_BODY = b'{"@context": {"name": "https://www.w3.org/ns/activitystreams#name"}}'


class _RecordingServer(ThreadingHTTPServer):
    hits: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _RecordingServer

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(CONTEXT_BODY)))
        self.end_headers()
        self.wfile.write(CONTEXT_BODY)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recording_server() -> Iterator[_RecordingServer]:
    """A context server on loopback that records every request it gets."""
    server = _RecordingServer(("127.0.0.1", 0), _Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers: a fetch would hang."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


def _documents_referencing(url: str) -> list[tuple[dict[str, Any], type[JsonLdError]]]:
    """Documents naming ``url`` as a context, and the error normalize() gives."""
    note = {"id": "https://a.example/notes/1", "type": "Note", "name": "x"}
    return [
        ({"@context": url, **note}, RemoteContextError),
        ({"@context": [*CANONICAL_CONTEXT, url], **note}, RemoteContextError),
        ({"@context": [{"@import": url}], **note}, RemoteContextError),
        (
            {"@context": list(CANONICAL_CONTEXT), **note, "attachment": {"@context": url}},
            RemoteContextError,
        ),
        # Scoped contexts from senders are refused before pyld runs at all.
        (
            {
                "@context": [*CANONICAL_CONTEXT, {"Scoped": {"@id": "as:Note", "@context": url}}],
                **note,
                "type": "Scoped",
            },
            InvalidContextError,
        ),
        (
            {
                "@context": [
                    *CANONICAL_CONTEXT,
                    {"wrapped": {"@id": "as:attachment", "@context": url}},
                ],
                **note,
                "wrapped": {"name": "z"},
            },
            InvalidContextError,
        ),
    ]


def test_remote_contexts_are_refused_without_a_request(recording_server: _RecordingServer) -> None:
    url = f"http://127.0.0.1:{recording_server.server_address[1]}/context.jsonld"
    for document, error in _documents_referencing(url):
        with pytest.raises(error):
            normalize(document)
    assert recording_server.hits == []
    # Control: the server does record a real fetch, so the zero above means something.
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == CONTEXT_BODY
    assert recording_server.hits == ["/context.jsonld"]


def test_the_loader_alone_refuses_them_too(recording_server: _RecordingServer) -> None:
    # Defence in depth: even without normalize()'s pre-checks, pyld with our
    # loader never reaches the network.
    url = f"http://127.0.0.1:{recording_server.server_address[1]}/context.jsonld"
    for document, _ in _documents_referencing(url):
        with pytest.raises(jsonld.JsonLdError) as caught:
            jsonld.expand(document, {"documentLoader": load_bundled_document, "base": None})
        causes: list[BaseException] = []
        cause: BaseException | None = caught.value
        while cause is not None:
            causes.append(cause)
            cause = cause.__cause__
        assert any(isinstance(cause, RemoteContextError) for cause in causes)
    assert recording_server.hits == []


def test_a_hanging_context_url_does_not_hang_us(silent_port: int) -> None:
    url = f"http://127.0.0.1:{silent_port}/context.jsonld"
    started = time.monotonic()
    for document, error in _documents_referencing(url):
        with pytest.raises(error):
            normalize(document)
    assert time.monotonic() - started < 5


def test_the_loader_refuses_unknown_urls_directly() -> None:
    with pytest.raises(RemoteContextError, match=r"evil\.example"):
        load_bundled_document("https://evil.example/context.jsonld", {})
    # Near misses of bundled URLs are not bundled URLs.
    for url in (
        "https://www.w3.org/ns/activitystreams/",
        "https://www.w3.org/ns/activitystreams.json",
        "https://w3id.org/security/v2",
        "https://w3id.org/curbside/v2",
    ):
        with pytest.raises(RemoteContextError):
            load_bundled_document(url, {})
