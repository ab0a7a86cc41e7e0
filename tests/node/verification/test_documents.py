"""Documents for review: judged by content, size-limited, private, shown to reviewers, purged."""

from __future__ import annotations

import io
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from PIL import Image
from sqlalchemy import select

from node.db.types import utcnow
from node.members.models import Role
from node.verification.documents import FOLDER, purge_expired_documents
from node.verification.models import LicenceClaim
from tests.node.verification.support import audit, claim, claimant, reviewer
from tests.rig import Account, NodeNetwork, TestNode

PROBLEM = "https://w3id.org/curbside/problems/"
UNKNOWN = "1234567893"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, kind)
    return out.getvalue()


async def upload(
    node: TestNode,
    account: Account,
    data: bytes,
    *,
    name: str = "licence.pdf",
    kind: str = "application/pdf",
) -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("document", data, filename=name, content_type=kind)
    return await node.request(
        "POST", "/api/v1/me/verification/documents", token=account.token, data=form
    )


async def pending_claimant(node: TestNode) -> Account:
    account = await claimant(node)
    status, body = await claim(node, account, UNKNOWN, "Lovelace", "Ada")
    assert (status, body["claim"]["state"]) == (201, "pending")
    return account


async def latest_claim(node: TestNode) -> LicenceClaim:
    async with node.state.db.read() as session:
        found = await session.scalar(select(LicenceClaim).order_by(LicenceClaim.id.desc()).limit(1))
    assert found is not None
    return found


def stored_files(node: TestNode) -> list[Path]:
    folder = node.data_dir / FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


async def test_pdf_jpeg_and_png_are_accepted_and_stored_privately(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await pending_claimant(node)
    for data, kind in (
        (PDF, "application/pdf"),
        (image("JPEG"), "image/jpeg"),
        (image("PNG"), "image/png"),
    ):
        # The declared type and name are ignored: the content decides.
        status, body = await upload(
            node, account, data, name="scan.bin", kind="application/octet-stream"
        )
        assert status == 201, body
        assert (body["content_type"], body["size"]) == (kind, len(data))
    [path] = stored_files(node)  # each upload replaced the previous one
    assert path.read_bytes() == image("PNG")
    assert "scan" not in path.name and len(path.name) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    _, mine = await node.request("GET", "/api/v1/me/verification", token=account.token)
    assert mine["claim"]["document"]["content_type"] == "image/png"
    assert mine["next_step"] == "wait-for-review"
    uploads = await audit(node, "verification.document.upload")
    assert len(uploads) == 3 and uploads[0].actor == f"member:{account.public_id}"
    # Nothing serves the folder.
    assert (await node.request("GET", f"/{FOLDER}/{path.name}"))[0] == 404


async def test_a_fake_pdf_is_refused(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await pending_claimant(node)
    html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
    status, body = await upload(node, account, html, name="licence.pdf", kind="application/pdf")
    assert (status, body["type"]) == (415, PROBLEM + "unsupported-document")
    # A PDF signature on a file that is not a whole PDF, and a broken PNG.
    status, body = await upload(node, account, b"%PDF-1.4\n<html>" + b"x" * 100)
    assert (status, body["type"]) == (422, PROBLEM + "damaged-document")
    status, body = await upload(node, account, image("PNG")[:40], name="a.png", kind="image/png")
    assert (status, body["type"]) == (422, PROBLEM + "damaged-document")
    assert stored_files(node) == []
    assert (await latest_claim(node)).document_file is None


async def test_an_oversized_document_is_refused(network: NodeNetwork) -> None:
    node = await network.spawn("US", verification_document_max_bytes=4096)
    account = await pending_claimant(node)
    big = PDF[:-7] + b"%" + b"x" * 8000 + b"\n%%EOF\n"
    status, body = await upload(node, account, big)
    assert (status, body["type"]) == (413, PROBLEM + "document-too-large")
    assert stored_files(node) == []
    assert (await upload(node, account, PDF))[0] == 201


async def test_uploads_need_a_pending_claim_and_a_form(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    account = await claimant(node)
    status, body = await upload(node, account, PDF)
    assert (status, body["type"]) == (409, PROBLEM + "no-pending-claim")
    await claim(node, account, UNKNOWN, "Lovelace", "Ada")
    status, body = await node.request(
        "POST", "/api/v1/me/verification/documents", token=account.token, json={"document": "x"}
    )
    assert status == 415
    form = aiohttp.FormData()
    form.add_field("other", PDF, filename="a.pdf")
    status, body = await node.request(
        "POST", "/api/v1/me/verification/documents", token=account.token, data=form
    )
    assert status == 422


async def test_only_reviewers_see_a_document_and_each_look_is_audited(
    network: NodeNetwork,
) -> None:
    node = await network.spawn("US")
    account = await pending_claimant(node)
    assert (await upload(node, account, PDF))[0] == 201
    claim_id = (await latest_claim(node)).id
    path = f"/api/v1/admin/verification/claims/{claim_id}/document"
    moderator = await reviewer(node)
    async with node.http.get(
        node.base_url + path, headers={"Authorization": f"Bearer {moderator.token}"}
    ) as response:
        assert response.status == 200
        assert await response.read() == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"] == "attachment"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    [look] = await audit(node, "verification.document.view")
    assert (look.actor, look.subject) == (f"member:{moderator.public_id}", f"claim:{claim_id}")
    plain = await node.add_member(verified=True)
    unverified_moderator = await node.add_member(verified=False, role=Role.MODERATOR)
    for outsider in (account, plain, unverified_moderator):
        assert (await node.request("GET", path, token=outsider.token))[0] == 403, outsider
    assert (await node.request("GET", path))[0] == 401
    assert len(await audit(node, "verification.document.view")) == 1


async def test_documents_are_purged_after_the_retention_period(network: NodeNetwork) -> None:
    node = await network.spawn("US", verification_document_retention_days=7)
    decided, waiting = await pending_claimant(node), await pending_claimant(node)
    for account in (decided, waiting):
        assert (await upload(node, account, PDF))[0] == 201
    moderator = await reviewer(node)
    async with node.state.db.read() as session:
        claims = list(await session.scalars(select(LicenceClaim).order_by(LicenceClaim.id)))
    status, _ = await node.request(
        "POST",
        f"/api/v1/admin/verification/claims/{claims[0].id}/decision",
        token=moderator.token,
        json={"decision": "reject", "reason": "document does not show a licence"},
    )
    assert status == 200
    db, data_dir = node.state.db, node.data_dir
    assert await purge_expired_documents(db, data_dir, utcnow() + timedelta(days=6)) == 0
    assert len(stored_files(node)) == 2
    assert await purge_expired_documents(db, data_dir, utcnow() + timedelta(days=8)) == 1
    [left] = stored_files(node)
    async with node.state.db.read() as session:
        first = await session.get_one(LicenceClaim, claims[0].id)
        second = await session.get_one(LicenceClaim, claims[1].id)
    assert first.document_file is None and first.document_deleted_at is not None
    assert second.document_file == left.name  # undecided: kept
    [deleted] = await audit(node, "verification.document.delete")
    assert (deleted.subject, deleted.reason) == (f"claim:{claims[0].id}", "retention period over")
    # The reviewer now gets a clear 404, and running the purge again does nothing.
    moderator_status = await node.request(
        "GET", f"/api/v1/admin/verification/claims/{claims[0].id}/document", token=moderator.token
    )
    assert moderator_status[0] == 404
    assert await purge_expired_documents(db, data_dir, utcnow() + timedelta(days=30)) == 0
