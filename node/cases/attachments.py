"""Case images as listed in a case's thread state, and keeping our rows in step.

(Upload, storage and fetching the files are in media.py.)
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from federation.jsonld import as_list, id_of
from federation.origin import same_origin
from node.cases.models import Attachment, Case
from node.cases.schemas import ImageOut
from node.cases.service import new_local_id

MIME_BY_FORMAT = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def digest_multibase(sha256_hex: str) -> str:
    """Multibase base64url ("u") of the SHA-256 digest."""
    return "u" + base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).decode().rstrip("=")


def sha256_from_multibase(value: Any) -> str | None:
    if not isinstance(value, str) or not value.startswith("u"):
        return None
    try:
        raw = base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4))
    except ValueError:
        return None
    return raw.hex() if len(raw) == 32 else None


def attachment_objects(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "type": "Image",
            "url": item.iri,
            "mediaType": item.mime,
            "width": item.width,
            "height": item.height,
            "name": item.description,
            "digestMultibase": digest_multibase(item.sha256),
        }
        for item in case.attachments
    ]


def listed_images(listed: Any, origin: str) -> dict[str, dict[str, Any]]:
    """The images a case object lists, by URL: only well-formed ones on ``origin``."""
    wanted: dict[str, dict[str, Any]] = {}
    for item in as_list(listed):
        if not isinstance(item, dict) or item.get("type") != "Image":
            continue
        url = id_of(item.get("url"))
        sha = sha256_from_multibase(item.get("digestMultibase"))
        if url and sha and same_origin(url, origin):
            wanted[url] = {**item, "sha256": sha}
    return wanted


def new_attachment(url: str, item: dict[str, Any]) -> Attachment:
    """The row for one image of ``listed_images`` (its file is fetched later)."""
    mime = item.get("mediaType")
    return Attachment(
        iri=url,
        local_id=new_local_id(),
        mime=mime if mime in MIME_BY_FORMAT.values() else "application/octet-stream",
        width=_dimension(item.get("width")),
        height=_dimension(item.get("height")),
        size=0,
        sha256=item["sha256"],
        description=str(item.get("name") or "")[:500],
    )


def sync_attachments(session: AsyncSession, case: Case, listed: Any, origin: str) -> None:
    """Make our rows match the images the origin lists (files are fetched later)."""
    wanted = listed_images(listed, origin)
    for attachment in list(case.attachments):
        if attachment.iri not in wanted:
            case.attachments.remove(attachment)
    known = {attachment.iri for attachment in case.attachments}
    for url, item in wanted.items():
        if url not in known:
            case.attachments.append(new_attachment(url, item))


def _dimension(value: Any) -> int:
    return value if isinstance(value, int) and 0 < value < 100_000 else 0


def image_out(attachment: Attachment) -> ImageOut:
    return ImageOut(
        local_id=attachment.local_id,
        url=f"/api/v1/media/{attachment.local_id}",
        mime=attachment.mime,
        width=attachment.width,
        height=attachment.height,
        description=attachment.description,
        available=attachment.fetched_at is not None,
    )
