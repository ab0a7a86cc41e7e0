"""HttpMessage and its header view."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest
from multidict import CIMultiDict

from federation.signatures import Headers, HttpMessage


def test_headers_are_case_insensitive_and_trimmed() -> None:
    headers = Headers({"Content-Type": "  application/json\t", "X-Empty": ""})
    assert headers["content-type"] == "application/json"
    assert headers["CONTENT-TYPE"] == "application/json"
    assert "x-empty" in headers
    assert headers["X-Empty"] == ""
    assert list(headers) == ["Content-Type", "X-Empty"]


def test_repeated_fields_are_joined_in_order() -> None:
    # RFC 9421 §2.1 and draft-cavage-12 §2.3: ", " in transmission order.
    lines = CIMultiDict([("Cache-Control", "max-age=60"), ("cache-control", " must-revalidate")])
    assert Headers(lines)["Cache-Control"] == "max-age=60, must-revalidate"
    assert len(Headers(lines)) == 1


def test_message_normalises_method_and_headers() -> None:
    message = HttpMessage("post", "https://n.example/inbox", {"Host": "n.example"})
    assert message.method == "POST"
    assert isinstance(message.headers, Headers)
    assert message.body == b""
    with pytest.raises(FrozenInstanceError):
        message.method = "GET"  # type: ignore[misc]
