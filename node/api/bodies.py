"""Reading and validating request bodies (JSON, multipart), and writing JSON responses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, ValidationError

from i18n.translate import gettext
from node.api.problems import Problem
from node.api.storable import first_unstorable

Model = TypeVar("Model", bound=BaseModel)


def _field_errors(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or "(body)", "message": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]


async def read_json(request: web.Request, model: type[Model]) -> Model:
    """The body as ``model``, or a 415/400/422 problem that says what is wrong."""
    if request.content_type != "application/json":
        raise Problem(415, "Send the body as application/json.", slug="unsupported-media-type")
    raw = await request.read()  # aiohttp enforces the app's client_max_size here (413)
    try:
        data = json.loads(raw)
    except RecursionError:
        raise Problem(400, "The body is nested too deeply.", slug="invalid-json") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, a 4,301-digit number
        raise Problem(400, f"The body is not valid JSON: {error}", slug="invalid-json") from None
    if not isinstance(data, dict):
        raise Problem(422, "The body must be a JSON object.", slug="invalid-body")
    found = first_unstorable(data)
    if found is not None:
        field, reason = found
        raise Problem(
            422,
            gettext("Some fields are missing or invalid."),
            slug="invalid-body",
            errors=[{"field": field, "message": f"The text {reason}."}],
        )
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise Problem(
            422,
            gettext("Some fields are missing or invalid."),
            slug="invalid-body",
            errors=_field_errors(error),
        ) from None


@contextmanager
def malformed_multipart() -> Iterator[None]:
    """Around reading a multipart body: aiohttp raises ValueError for one without a
    boundary, cut short, or with a broken part header; the sender gets a 400."""
    try:
        yield
    except ValueError as error:
        raise Problem(
            400, f"The multipart body is malformed: {error}", slug="invalid-body"
        ) from None


async def part_chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    """A multipart part's bytes as they arrive (for files streamed to disk)."""
    with malformed_multipart():  # a body cut short shows only here
        while chunk := await part.read_chunk(64 * 1024):
            yield chunk


def read_query(request: web.Request, model: type[Model]) -> Model:
    """The query string as ``model``, or a 400 problem naming each bad parameter."""
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as error:
        raise Problem(
            400,
            gettext("Some query parameters are invalid."),
            slug="invalid-query",
            errors=_field_errors(error),
        ) from None


def json_response(data: BaseModel | dict[str, Any], *, status: int = 200) -> web.Response:
    if isinstance(data, BaseModel):
        # Serialized by pydantic-core in one step: a case with its thread took several
        # times longer as model_dump() and then json.dumps().
        return web.Response(
            text=data.model_dump_json(), status=status, content_type="application/json"
        )
    return web.json_response(data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))
