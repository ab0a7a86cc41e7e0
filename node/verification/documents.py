"""Documents uploaded for a claim's review: checked, stored privately, purged later.

A document is judged by its content, never its name or declared type: the first
bytes must be a PDF, JPEG or PNG signature and the whole file must look like one
(a PDF ends with ``%%EOF``; an image passes Pillow's structural check). It is
written under the data folder (no web root serves it) with a random name, mode
0600, in a 0700 folder, and only reviewers can fetch it through the API.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from node.audit.reasons import RETENTION_OVER
from node.audit.service import record
from node.db.engine import Database
from node.verification.models import ClaimState, LicenceClaim

FOLDER = "verification-documents"
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
_SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_HEAD = 8
_PDF_TRAILER_SPAN = 2048  # %%EOF may be followed by whitespace or a small trailer
# Pillow decodes nothing in verify(), but its bomb check still applies on open.
_MAX_IMAGE_PIXELS = 100_000_000
PURGE_BATCH = 500


class DocumentRefused(Exception):
    """The upload is not acceptable; ``status`` and ``slug`` map it to a problem."""

    def __init__(self, status: int, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail


@dataclass(frozen=True, slots=True)
class StoredDocument:
    file: str
    content_type: str
    size: int


def documents_folder(data_dir: Path) -> Path:
    folder = data_dir / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def sniff(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def _check_structure(path: Path, content_type: str, size: int) -> None:
    if content_type == PDF:
        with path.open("rb") as handle:
            handle.seek(max(0, size - _PDF_TRAILER_SPAN))
            if b"%%EOF" not in handle.read():
                raise DocumentRefused(422, "damaged-document", "The PDF is truncated or damaged.")
        return
    try:
        with Image.open(path) as image:
            if image.width * image.height > _MAX_IMAGE_PIXELS:
                raise DocumentRefused(422, "damaged-document", "The image is implausibly large.")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise DocumentRefused(422, "damaged-document", "The image is damaged.") from None


async def store_document(
    chunks: AsyncIterator[bytes], folder: Path, *, max_bytes: int
) -> StoredDocument:
    """Write the upload under a random name, refusing it as soon as it is known bad.

    Too large is detected while streaming (nothing past the limit is written), a
    wrong type from the first bytes; a refused file is deleted before raising.
    """
    name = secrets.token_hex(16)
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    size = 0
    head = b""
    content_type: str | None = None
    try:
        with os.fdopen(descriptor, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise DocumentRefused(
                        413, "document-too-large", f"Documents may be at most {max_bytes} bytes."
                    )
                if content_type is None:
                    head = (head + chunk)[:_HEAD]
                    if len(head) >= _HEAD:
                        content_type = _sniffed(head)
                out.write(chunk)
        if content_type is None:
            content_type = _sniffed(head)
        _check_structure(path, content_type, size)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredDocument(name, content_type, size)


def _sniffed(head: bytes) -> str:
    content_type = sniff(head)
    if content_type is None:
        raise DocumentRefused(
            415,
            "unsupported-document",
            "Send a PDF, JPEG or PNG file (recognised by its content, not its name).",
        )
    return content_type


def document_path(data_dir: Path, file: str) -> Path:
    # The stored name is ours (hex); refuse anything else rather than trust a row.
    if not file.isalnum():
        raise ValueError("invalid stored document name")
    return data_dir / FOLDER / file


def delete_document_file(data_dir: Path, file: str) -> None:
    document_path(data_dir, file).unlink(missing_ok=True)


class ClaimDecided(Exception):
    """The claim was decided (or replaced) while its document was being uploaded."""


async def attach_document(
    db: Database,
    data_dir: Path,
    claim_id: int,
    stored: StoredDocument,
    *,
    actor: str,
    now: datetime,
) -> None:
    """Attach a stored upload to a pending claim, replacing (and deleting) an earlier one.

    Shared by the JSON API and the member's verification page. If the claim is no
    longer pending, the upload is deleted and ClaimDecided raised.
    """
    async with db.write() as session:
        claim = await session.get_one(LicenceClaim, claim_id)
        replaced = claim.document_file
        if claim.state == ClaimState.PENDING:
            claim.document_file = stored.file
            claim.document_type = stored.content_type
            claim.document_size = stored.size
            claim.document_uploaded_at = now
            record(
                session,
                actor=actor,
                action="verification.document.upload",
                subject=f"claim:{claim.id}",
                details={"content_type": stored.content_type, "size": stored.size},
            )
    if claim.state != ClaimState.PENDING:  # decided while the upload streamed in
        delete_document_file(data_dir, stored.file)
        raise ClaimDecided("the claim was decided meanwhile")
    if replaced is not None:
        delete_document_file(data_dir, replaced)


async def purge_expired_documents(db: Database, data_dir: Path, now: datetime) -> int:
    """Delete documents whose claim was decided more than the retention period ago.

    The purge date is fixed when the claim is decided (decision time plus
    ``verification_document_retention_days``), so this needs no settings. Files are
    removed before the rows are updated: should the transaction fail, the next run
    finds the rows again and ``missing_ok`` makes the retry harmless. Returns how
    many documents were deleted.
    """
    deleted = 0
    while True:
        async with db.write() as session:
            claims = (
                await session.scalars(
                    select(LicenceClaim)
                    .where(
                        LicenceClaim.document_file.is_not(None),
                        LicenceClaim.documents_purge_at <= now,
                    )
                    .limit(PURGE_BATCH)
                )
            ).all()
            for claim in claims:
                if claim.document_file is not None:
                    delete_document_file(data_dir, claim.document_file)
                claim.document_file = None
                claim.document_deleted_at = now
                record(
                    session,
                    actor="system",
                    action="verification.document.delete",
                    subject=f"claim:{claim.id}",
                    reason=RETENTION_OVER,
                )
        deleted += len(claims)
        if len(claims) < PURGE_BATCH:
            return deleted
