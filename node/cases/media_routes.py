"""Serving and uploading case images.

``/media/{id}`` is the image's IRI: peers fetch it with a signed GET (images of cases
posted here only); signed-in members of this node may open it in the browser. The
JSON API has the same under ``/api/v1/media/{id}`` for bearer tokens, and the upload.
"""

from __future__ import annotations

from aiohttp import BodyPartReader, web
from sqlalchemy import select

from federation.origin import same_origin
from federation.text import unstorable
from i18n.translate import gettext, ngettext
from node.api.bodies import json_response, malformed_multipart
from node.api.problems import Problem, not_found
from node.api.routing import ApiRoutes
from node.cases.access import is_moderator
from node.cases.attachments import image_out
from node.cases.media import add_image, media_path
from node.cases.models import Attachment, Case
from node.cases.schemas import ImageOut
from node.members.auth import verified_member
from node.members.models import Member
from node.network.authorized import require_peer
from node.state import NODE, node_state
from node.web.context import page_member

routes = web.RouteTableDef()
api = ApiRoutes(tag="images")

DESCRIPTION_MAX = 500


async def _file_response(
    request: web.Request, local_id: str, *, member: Member | None
) -> web.StreamResponse:
    """The file, for ``member`` (a verified member of this node) or, with None, for a
    signed peer."""
    state = request.app[NODE]
    async with state.db.read() as session:
        found = (
            await session.execute(
                select(Attachment, Case.audience, Case.hidden_at, Case.author_member_id)
                .join(Case, Attachment.case_id == Case.id)
                .where(Attachment.local_id == local_id)
            )
        ).first()
    if found is None or found[0].fetched_at is None:
        raise not_found(gettext("No such image."))
    attachment, audience, hidden_at, author_id = found
    if member is None:
        # A peer gets only our own images, of federated cases (as the case IRI).
        if not same_origin(attachment.iri, state.config.base_url) or audience != "federated":
            raise not_found(gettext("No such image."))
    elif hidden_at is not None and author_id != member.id and not is_moderator(member):
        # A case a moderator hid is not there for members, nor are its images.
        raise not_found(gettext("No such image."))
    response = web.FileResponse(media_path(state, attachment.local_id))
    response.content_type = attachment.mime
    # Clinical images: private to this member's browser, never a shared cache.
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@routes.get("/media/{local_id}")
async def media(request: web.Request) -> web.StreamResponse:
    if "Signature" in request.headers or "Signature-Input" in request.headers:
        await require_peer(request)
        return await _file_response(request, request.match_info["local_id"], member=None)
    member = page_member(request)
    if member is None or not member.is_verified:
        raise Problem(
            401, gettext("Sign in as a verified member to see case images."), slug="unauthorized"
        )
    return await _file_response(request, request.match_info["local_id"], member=member)


@api.get("/api/v1/media/{local_id}", summary="A case image (the file itself)", errors=(403, 404))
async def media_api(request: web.Request) -> web.StreamResponse:
    member = verified_member(request)
    return await _file_response(request, request.match_info["local_id"], member=member)


async def _read_part(part: BodyPartReader, limit: int) -> bytes | None:
    """The part's bytes, or None as soon as they grow past ``limit`` (never buffered
    beyond it)."""
    chunks = []
    size = 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _utf8(data: bytes) -> str:
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise Problem(
            422, gettext("The description is not UTF-8 text."), slug="invalid-body"
        ) from None


def _description_too_long() -> Problem:
    return Problem(
        422,
        ngettext(
            "The description is limited to %(num)s character.",
            "The description is limited to %(num)s characters.",
            DESCRIPTION_MAX,
        ),
        slug="invalid-body",
    )


async def _read_upload(request: web.Request, limit: int) -> tuple[bytes, str]:
    if not request.content_type.startswith("multipart/form-data"):
        raise Problem(415, "Send the image as multipart/form-data (fields: file, description).")
    data: bytes | None = None
    description = ""
    with malformed_multipart():
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "file":
                data = await _read_part(part, limit)
                if data is None:
                    raise Problem(
                        413,
                        ngettext(
                            "Images are limited to %(num)s byte.",
                            "Images are limited to %(num)s bytes.",
                            limit,
                        ),
                        slug="too-large",
                    )
            elif part.name == "description":
                # Read as UTF-8 whatever charset the part claims (forms send UTF-8), and
                # no further than the longest description could take.
                text = await _read_part(part, 4 * DESCRIPTION_MAX)
                if text is None:
                    raise _description_too_long()
                description = _utf8(text)
    if not data:
        raise Problem(422, gettext("The image file is missing."), slug="invalid-body")
    if len(description) > DESCRIPTION_MAX:
        raise _description_too_long()
    if (reason := unstorable(description)) is not None:
        raise Problem(422, f"The description {reason}.", slug="invalid-body")
    return data, description.strip()


@api.post(
    "/api/v1/cases/{local_id}/images",
    summary="Add an image to your case",
    response=ImageOut,
    status=201,
    errors=(403, 404, 409, 413, 415, 422),
)
async def upload(request: web.Request) -> web.Response:
    """multipart/form-data with ``file`` (JPEG, PNG or WebP) and ``description``. The
    image is re-encoded from its pixels: no metadata of the original is kept."""
    member = verified_member(request)
    state = node_state(request)
    data, description = await _read_upload(request, state.config.image_max_bytes)
    attachment = await add_image(state, member, request.match_info["local_id"], data, description)
    return json_response(image_out(attachment), status=201)
