"""Case images: sanitised uploads, files in the data folder, and copies on peer nodes.

An upload is decoded and re-encoded from its pixels (node/deid/images.py), so no
EXIF, GPS, XMP, IPTC or text chunk of the original reaches storage or a peer. Files
are written 0600 under ``DIR/media``. The case's thread state lists each image with
its SHA-256; peers fetch the bytes from the origin with a signed GET, check the
digest and keep their own copy, so members read images from their own node.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import bindparam, or_, select

from federation.transport import FetchError, get_bytes
from i18n.translate import ngettext
from node.api.problems import Problem
from node.cases.access import case_or_404, require_author
from node.cases.models import STILL_TO_FETCH, Attachment
from node.cases.service import new_local_id
from node.cases.threads import publish_thread_state
from node.db.types import utcnow
from node.deid.images import ImageRejected, sanitize_image, sniff_format
from node.members.models import Member
from node.privacy import guard
from node.state import NodeState

MEDIA_DIR = "media"
FETCH_BATCH = 20
# After the n-th failed fetch of an image the next waits 30 s * 2**(n-1), at most 6
# hours: an origin that is down for an hour or restarts for an upgrade is retried
# soon after it is back, and one that is gone costs a request per image every six
# hours until FETCH_ATTEMPTS_MAX (about two days; models.py).
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=6)


def fetch_retry_delay(failures: int) -> timedelta:
    return min(LONGEST_RETRY, FIRST_RETRY * 2 ** max(0, failures - 1))


def media_path(state: NodeState, local_id: str) -> Path:
    return state.config.data_dir / MEDIA_DIR / local_id


def write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def remove_files(state: NodeState, local_ids: list[str]) -> None:
    for local_id in local_ids:
        media_path(state, local_id).unlink(missing_ok=True)


async def add_image(
    state: NodeState, member: Member, local_id: str, data: bytes, description: str
) -> Attachment:
    """The case's author adds an image; it federates with the next thread state."""
    config = state.config
    async with state.db.read() as session:
        case = await case_or_404(session, local_id)
        require_author(member, case.author_member_id, "case")
        language = case.language
        if len(case.attachments) >= config.images_per_case:
            raise Problem(
                409,
                ngettext(
                    "A case can have at most %(num)s image.",
                    "A case can have at most %(num)s images.",
                    config.images_per_case,
                ),
                slug="too-many-images",
            )
    guard.check({"description": description}, language, [])
    try:
        # Decoding and encoding is CPU work; keep the event loop serving other requests.
        image = await asyncio.to_thread(
            sanitize_image,
            data,
            max_bytes=config.image_max_bytes,
            max_pixels=config.image_max_pixels,
        )
    except ImageRejected as rejected:
        raise Problem(
            422, f"This image cannot be used: {rejected.reason}.", slug="image-rejected"
        ) from None
    attachment_id = new_local_id()
    path = media_path(state, attachment_id)
    write_private(path, image.data)
    try:
        async with state.db.write() as session:
            case = await case_or_404(session, local_id)
            attachment = Attachment(
                case_id=case.id,
                iri=f"{config.base_url}/media/{attachment_id}",
                local_id=attachment_id,
                mime=image.mime,
                width=image.width,
                height=image.height,
                size=len(image.data),
                sha256=hashlib.sha256(image.data).hexdigest(),
                description=description,
                fetched_at=utcnow(),
            )
            case.attachments.append(attachment)
            await session.flush()
            await publish_thread_state(session, state, case)
    except BaseException:
        path.unlink(missing_ok=True)  # nothing refers to it: do not leave it behind
        raise
    state.federation.delivery_due()
    return attachment


# Built once; answered from the partial index ix_attachments_to_fetch (models.py).
DUE_FOR_FETCH = (
    select(Attachment)
    .where(
        STILL_TO_FETCH,
        or_(Attachment.next_fetch_at.is_(None), Attachment.next_fetch_at <= bindparam("now")),
    )
    .order_by(Attachment.id)
    .limit(FETCH_BATCH)
)


async def fetch_missing(state: NodeState) -> int:
    """Copy images of other nodes' cases that we do not have yet; returns how many."""
    async with state.db.read() as session:
        missing = (await session.scalars(DUE_FOR_FETCH, {"now": utcnow()})).all()
    fetched = 0
    for attachment in missing:
        ok = await _fetch_one(state, attachment)
        async with state.db.write() as session:
            row = await session.get(Attachment, attachment.id)
            if row is None:
                continue  # the case was deleted meanwhile
            if ok:
                row.fetched_at = utcnow()
                fetched += 1
            else:
                row.fetch_attempts += 1
                row.next_fetch_at = utcnow() + fetch_retry_delay(row.fetch_attempts)
    return fetched


async def _fetch_one(state: NodeState, attachment: Attachment) -> bool:
    try:
        data, _ = await get_bytes(
            state.http,
            attachment.iri,
            state.federation.signing_key,
            max_bytes=state.config.image_max_bytes,
        )
    except FetchError as error:
        state.log.info("image fetch failed: %s", error)
        return False
    if hashlib.sha256(data).hexdigest() != attachment.sha256 or sniff_format(data) is None:
        state.log.warning("image from %s does not match its digest; refused", attachment.iri)
        return False
    write_private(media_path(state, attachment.local_id), data)
    return True


async def media_fetcher(state: NodeState) -> None:
    while True:
        await fetch_missing(state)
        await asyncio.sleep(5.0)
