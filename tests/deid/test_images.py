"""sanitize_image: only pixels survive; bombs and non-images are refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from node.deid.images import ImageRejected, SanitizedImage, sanitize_image

LIMITS = {"max_bytes": 10_000_000, "max_pixels": 20_000_000}
SECRET = "Anna Schmidt"
XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{SECRET}</dc:creator>'
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
MARKERS = [
    SECRET.encode(),
    b"Exif",
    b"GPS",
    b"CanonSecret",
    b"SN-998877",
    b"xpacket",
    b"adobe:ns:meta",
    b"Photoshop 3.0",
    b"8BIM",
    b"tEXt",
    b"iTXt",
    b"zTXt",
    b"eXIf",
    b"iCCP",
    b"ICC_PROFILE",
]


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "CanonSecret"  # Make
    exif[0x013B] = SECRET  # Artist
    exif[0xA431] = "SN-998877"  # BodySerialNumber
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 29.0)
    gps[3] = "E"
    gps[4] = (2.0, 17.0, 40.0)
    return exif


def _icc() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return profile.tobytes()


def _iptc_segment() -> bytes:
    """A JPEG APP13 Photoshop/IPTC segment with a by-line (2:80)."""
    record = b"\x1c\x02\x50" + struct.pack(">H", len(SECRET)) + SECRET.encode()
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(record))
    resource += record + (b"\x00" if len(record) % 2 else b"")
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def _jpeg_with_everything() -> bytes:
    img = Image.new("RGB", (64, 32), (200, 30, 30))
    buffer = io.BytesIO()
    img.save(
        buffer,
        "JPEG",
        exif=_exif(),
        icc_profile=_icc(),
        comment=f"Patient {SECRET}".encode(),
        xmp=XMP.encode(),
    )
    data = buffer.getvalue()
    # Insert the IPTC segment right after SOI.
    return data[:2] + _iptc_segment() + data[2:]


def _png_with_everything() -> bytes:
    img = Image.new("RGBA", (64, 32), (10, 200, 30, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_itxt("Description", f"Patient {SECRET}", lang="en", tkey="Beschreibung")
    info.add_text("Comment", SECRET, zip=True)
    info.add_text("XML:com.adobe.xmp", XMP)
    buffer = io.BytesIO()
    img.save(buffer, "PNG", pnginfo=info, exif=_exif(), icc_profile=_icc())
    return buffer.getvalue()


def _webp_with_everything() -> bytes:
    img = Image.new("RGB", (64, 32), (30, 30, 200))
    buffer = io.BytesIO()
    img.save(buffer, "WEBP", exif=_exif(), icc_profile=_icc(), xmp=XMP.encode())
    return buffer.getvalue()


def _assert_clean(result: SanitizedImage) -> None:
    for marker in MARKERS:
        assert marker not in result.data, marker
    with Image.open(io.BytesIO(result.data)) as img:
        assert not img.getexif()
        for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "Author"):
            assert key not in img.info, key
        assert getattr(img, "text", {}) == {}
        assert img.size == (result.width, result.height)


@pytest.mark.parametrize(
    ("make", "mime"),
    [
        (_jpeg_with_everything, "image/jpeg"),
        (_png_with_everything, "image/png"),
        (_webp_with_everything, "image/webp"),
    ],
)
def test_metadata_does_not_survive(make, mime: str) -> None:
    original = make()
    assert SECRET.encode() in original or b"CanonSecret" in original  # the test is real
    result = sanitize_image(original, **LIMITS)
    assert result.mime == mime
    _assert_clean(result)


def test_jpeg_app_segments_are_only_jfif() -> None:
    result = sanitize_image(_jpeg_with_everything(), **LIMITS)
    with Image.open(io.BytesIO(result.data)) as img:
        markers = {marker for marker, _ in img.applist}
    assert markers <= {"APP0"}


def test_exif_orientation_is_applied() -> None:
    # Orientation 6 means the stored 64x32 image is displayed as 32x64.
    result = sanitize_image(_jpeg_with_everything(), **LIMITS)
    assert (result.width, result.height) == (32, 64)


def test_format_is_sniffed_from_content_not_name() -> None:
    png = _png_with_everything()
    assert sanitize_image(png, **LIMITS).mime == "image/png"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world",
        b"%PDF-1.7\n...",
        b"GIF89a" + b"\x00" * 20,
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    ],
)
def test_non_images_are_rejected(data: bytes) -> None:
    with pytest.raises(ImageRejected) as raised:
        sanitize_image(data, **LIMITS)
    assert raised.value.reason


def test_truncated_image_is_rejected() -> None:
    data = _jpeg_with_everything()
    with pytest.raises(ImageRejected, match=r"damaged|readable"):
        sanitize_image(data[: len(data) // 2], **LIMITS)


def test_too_many_bytes() -> None:
    with pytest.raises(ImageRejected, match="larger than"):
        sanitize_image(_png_with_everything(), max_bytes=100, max_pixels=10**9)


def test_too_many_pixels_is_refused_before_decoding() -> None:
    with pytest.raises(ImageRejected, match="pixels"):
        sanitize_image(_png_with_everything(), max_bytes=10**7, max_pixels=100)


def _png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (the pixel data is a few bytes)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [8_000, 10_000, 20_000])
def test_decompression_bombs_are_refused(side: int) -> None:
    # 64 Mpx: within Pillow's limit but beyond ours; 100 Mpx: between Pillow's limit and
    # twice it (Pillow warns); 400 Mpx: beyond twice Pillow's limit (Pillow raises).
    with pytest.raises(ImageRejected, match=r"too large|pixels"):
        sanitize_image(_png_bomb(side, side), max_bytes=10**7, max_pixels=50_000_000)


def test_pixels_are_kept() -> None:
    result = sanitize_image(_png_with_everything(), **LIMITS)
    with Image.open(io.BytesIO(result.data)) as img:
        assert img.convert("RGBA").getpixel((5, 5)) == (10, 200, 30, 128)
