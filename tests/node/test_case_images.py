"""Case images: sanitised on upload, copied to peers, never with metadata, purged on delete."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

import aiohttp
from PIL import Image
from sqlalchemy import select, update

from node.cases.media import fetch_missing, fetch_retry_delay, media_path
from node.cases.models import FETCH_ATTEMPTS_MAX, Attachment
from node.db.types import utcnow
from node.members.models import Role
from tests.node.test_federation_basics import CASE
from tests.node.test_moderation import hide
from tests.peering import signed_headers
from tests.rig import Account, NodeNetwork, TestNode
from tests.waiting import eventually


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x9003] = "2024:03:14 10:00:00"  # DateTimeOriginal
    gps = {1: "N", 2: (48.0, 8.0, 0.0), 3: "E", 4: (11.0, 34.0, 0.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"patient Jane Roe")
    return buffer.getvalue()


async def upload(
    node: TestNode, account: Account, local_id: str, data: bytes, description: str = "rash"
) -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("file", data, filename="photo.jpg", content_type="image/jpeg")
    form.add_field("description", description)
    return await node.request(
        "POST", f"/api/v1/cases/{local_id}/images", token=account.token, data=form
    )


def assert_no_metadata(data: bytes) -> None:
    assert b"Exif" not in data and b"CameraMaker" not in data and b"Jane Roe" not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif()
    assert "comment" not in image.info and "exif" not in image.info


async def test_images_are_sanitised_and_copied_to_peers(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member()
    reader = await de.add_member()
    other = await us.add_member()
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    original = jpeg_with_gps()
    assert b"CameraMaker" in original
    status, image = await upload(us, author, case["local_id"], original)
    assert status == 201, image
    assert (image["width"], image["height"]) == (64, 48)
    stored = media_path(us.state, image["local_id"]).read_bytes()
    assert_no_metadata(stored)
    status, served = await us.request("GET", image["url"], token=author.token)
    assert status == 200 and served == stored

    async def copied() -> dict[str, Any] | None:
        _, listing = await de.request("GET", "/api/v1/cases", token=reader.token)
        if not listing["items"]:
            return None
        _, detail = await de.request(
            "GET", f"/api/v1/cases/{listing['items'][0]['local_id']}", token=reader.token
        )
        images = detail.get("images") or []
        return detail if images and images[0]["available"] else None

    detail = await eventually(copied, within=30, what="the image copied to DE")
    copy = detail["images"][0]
    status, fetched = await de.request("GET", copy["url"], token=reader.token)
    assert status == 200
    assert hashlib.sha256(fetched).hexdigest() == hashlib.sha256(stored).hexdigest()
    assert_no_metadata(fetched)

    # Only signed peers (and local members) get the file at its IRI.
    iri_path = "/media/" + image["local_id"]
    assert (await us.request("GET", iri_path))[0] == 401
    headers = signed_headers(de, us.base_url + iri_path, b"", method="GET")
    assert (await us.request("GET", iri_path, headers=headers))[0] == 200

    # Refusals: not the author, not an image, too large.
    assert (await upload(us, other, case["local_id"], original))[0] == 403
    assert (await upload(us, author, case["local_id"], b"<html>not an image</html>"))[0] == 422
    status, problem = await upload(
        us, author, case["local_id"], original, description="Mr. John Smith's rash"
    )
    assert status == 422 and problem["type"].endswith("identifying-details")

    # Deleting the case removes the files on every node.
    de_file = media_path(de.state, copy["local_id"])
    assert de_file.exists()
    assert (await us.request("DELETE", f"/api/v1/cases/{case['local_id']}", token=author.token))[
        0
    ] == 204
    assert not media_path(us.state, image["local_id"]).exists()

    async def purged() -> bool:
        return not de_file.exists()

    await eventually(purged, within=30, what="the copy purged on DE")


async def test_decompression_bombs_and_oversize_uploads_are_refused(network: NodeNetwork) -> None:
    node = await network.spawn("US", image_max_pixels=1_000_000, image_max_bytes=200_000)
    author = await node.add_member()
    _, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    bomb = io.BytesIO()
    Image.new("L", (5000, 5000)).save(bomb, "PNG", optimize=True)  # 25 MP that compresses to ~25 KB
    status, problem = await upload(node, author, case["local_id"], bomb.getvalue())
    assert status == 422, problem
    noise = io.BytesIO()
    Image.effect_noise((900, 900), 64).convert("RGB").save(noise, "PNG")
    assert len(noise.getvalue()) > 200_000
    assert (await upload(node, author, case["local_id"], noise.getvalue()))[0] == 413
    _, detail = await node.request("GET", f"/api/v1/cases/{case['local_id']}", token=author.token)
    assert detail["images"] == []


def test_failed_fetches_wait_longer_each_time() -> None:
    assert [fetch_retry_delay(n).total_seconds() for n in (1, 2, 3, 10, 11, 15)] == [
        30,
        60,
        120,
        15360,
        21600,
        21600,
    ]
    schedule = sum((fetch_retry_delay(n) for n in range(1, FETCH_ATTEMPTS_MAX)), timedelta())
    assert timedelta(days=1) < schedule < timedelta(days=3)


async def test_an_image_the_origin_cannot_serve_is_fetched_once_it_can(
    network: NodeNetwork,
) -> None:
    """DE's fetches fail for real (the origin answers 404 while the file is away, as
    an origin that is down would refuse them): each failure puts the next attempt
    further off instead of spending all of them in seconds, and the image arrives
    once the origin serves it again."""
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    await de.stop()  # so that DE cannot copy the image before it goes away
    author = await us.add_member()
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    status, image = await upload(us, author, case["local_id"], jpeg_with_gps())
    assert status == 201, image
    origin_file = media_path(us.state, image["local_id"])
    away = origin_file.rename(origin_file.with_suffix(".away"))
    await de.start()

    async def copy_row() -> Attachment | None:
        async with de.state.db.read() as session:
            row = await session.scalar(select(Attachment))
        return row if row is not None and row.fetch_attempts > 0 else None

    failed = await eventually(copy_row, within=30, what="DE's first failed fetch")
    assert failed.fetched_at is None and failed.fetch_attempts == 1
    assert failed.next_fetch_at is not None
    wait = failed.next_fetch_at - utcnow()
    assert timedelta(seconds=20) < wait <= timedelta(seconds=30)
    # Not due yet: another round of the fetcher leaves it alone.
    assert await fetch_missing(de.state) == 0
    assert (await copy_row()) is not None and (await copy_row()).fetch_attempts == 1  # type: ignore[union-attr]

    async def set_row(**values: Any) -> None:
        async with de.state.db.write() as session:
            await session.execute(update(Attachment).values(**values))

    # Given up after the last attempt: never asked for again.
    await set_row(fetch_attempts=FETCH_ATTEMPTS_MAX, next_fetch_at=utcnow() - timedelta(1))
    assert await fetch_missing(de.state) == 0
    given_up = await copy_row()  # not tried again: a try would have failed and counted
    assert given_up is not None and given_up.fetch_attempts == FETCH_ATTEMPTS_MAX
    # The origin serves the file again, and the attempt the schedule set is due.
    away.rename(origin_file)
    await set_row(fetch_attempts=1, next_fetch_at=utcnow() - timedelta(seconds=1))
    reader = await de.add_member()

    async def available() -> bool:
        _, listing = await de.request("GET", "/api/v1/cases", token=reader.token)
        _, detail = await de.request(
            "GET", f"/api/v1/cases/{listing['items'][0]['local_id']}", token=reader.token
        )
        return bool(detail["images"][0]["available"])

    await eventually(available, within=30, what="the image copied once the origin serves it")


async def test_images_of_a_case_kept_on_its_node_are_not_served_to_peers(
    network: NodeNetwork,
) -> None:
    us = await network.spawn("US")
    de = await network.spawn("DE")
    await network.mesh(us, de)
    author = await us.add_member()
    local_only = {**CASE, "audience": "node"}
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=local_only)
    status, image = await upload(us, author, case["local_id"], jpeg_with_gps())
    assert status == 201, image
    path = "/media/" + image["local_id"]
    headers = signed_headers(de, us.base_url + path, b"", method="GET")
    assert (await us.request("GET", path, headers=headers))[0] == 404
    # Members of the node see it as before.
    status, served = await us.request("GET", image["url"], token=author.token)
    assert status == 200 and served == media_path(us.state, image["local_id"]).read_bytes()


async def test_the_images_of_a_hidden_case_are_hidden_too(network: NodeNetwork) -> None:
    us = await network.spawn("US")
    author, reader = await us.add_member(), await us.add_member()
    moderator = await us.add_member(role=Role.MODERATOR)
    _, case = await us.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    status, image = await upload(us, author, case["local_id"], jpeg_with_gps())
    assert status == 201, image
    assert (await us.request("GET", image["url"], token=reader.token))[0] == 200
    await hide(us, reader, moderator, case["id"])
    assert (await us.request("GET", image["url"], token=reader.token))[0] == 404
    assert (await us.request("GET", image["url"], token=author.token))[0] == 200
    assert (await us.request("GET", image["url"], token=moderator.token))[0] == 200
