"""Sanitise an uploaded image before it can be attached to a case.

Photos carry more than pixels: EXIF (camera serial, date, GPS position), XMP and IPTC
packets (author, captions), JPEG comments, PNG text chunks, and ICC profiles that can
name the device or the person who calibrated it. Stripping known segments one by one
misses the ones nobody thought of, so the image is decoded and a new file is encoded
from its pixels alone: nothing of the original container survives.

Only JPEG, PNG and WebP are accepted, recognised by their first bytes rather than the
file name. Decompression bombs (a small file that decodes to gigapixels) are refused
before the pixels are decoded.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

_FORMATS: Final = MappingProxyType({"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"})
_QUALITY: Final = 90


class ImageRejected(Exception):
    """The upload is not an image we accept; ``reason`` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SanitizedImage:
    data: bytes
    mime: str
    width: int
    height: int


def sniff_format(data: bytes) -> str | None:
    """The container format from the magic bytes: "JPEG", "PNG", "WEBP" or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def sanitize_image(data: bytes, *, max_bytes: int, max_pixels: int) -> SanitizedImage:
    """Decode, orient and re-encode ``data`` from its pixels; raise ImageRejected."""
    if len(data) > max_bytes:
        raise ImageRejected(f"image is larger than {max_bytes} bytes")
    fmt = sniff_format(data)
    if fmt is None:
        raise ImageRejected("not a JPEG, PNG or WebP image")
    with warnings.catch_warnings():
        # Pillow warns (rather than fails) between its limit and twice its limit;
        # turning the warning into an error makes both cases a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            pixels = _decode(data, fmt, max_pixels)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected("image dimensions are too large") from exc
        except UnidentifiedImageError as exc:
            raise ImageRejected("not a readable image") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            # Pillow reports truncated or corrupt data as OSError (and a few decoders as
            # SyntaxError/ValueError); the upload is refused, not half-processed.
            raise ImageRejected("image data is damaged") from exc
    buffer = io.BytesIO()
    if fmt == "JPEG":
        pixels.save(buffer, format="JPEG", quality=_QUALITY, optimize=True)
    elif fmt == "PNG":
        pixels.save(buffer, format="PNG", optimize=True)
    else:
        pixels.save(buffer, format="WEBP", quality=_QUALITY)
    return SanitizedImage(buffer.getvalue(), _FORMATS[fmt], pixels.width, pixels.height)


def _decode(data: bytes, fmt: str, max_pixels: int) -> Image.Image:
    """The oriented pixels of the first frame, in a fresh image with no metadata."""
    with Image.open(io.BytesIO(data), formats=[fmt]) as img:
        # Only the header has been read so far: refuse before decoding any pixels.
        if img.width * img.height > max_pixels:
            raise ImageRejected(f"image has more than {max_pixels} pixels")
        img.load()
        icc = img.info.get("icc_profile")
        oriented = ImageOps.exif_transpose(img)
    oriented = _to_srgb(oriented, icc) if icc else oriented
    mode = _output_mode(oriented, fmt)
    converted = oriented.convert(mode) if oriented.mode != mode else oriented
    # frombytes builds a new image from raw pixels: no info dict, no EXIF, no ICC.
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _to_srgb(img: Image.Image, icc: bytes) -> Image.Image:
    """Convert to sRGB so that dropping the (possibly identifying) profile does not
    change the colours; a profile littleCMS cannot read is simply dropped."""
    if img.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        out_mode = "RGBA" if img.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(img, source, target, outputMode=out_mode)
    except (ImageCms.PyCMSError, OSError):
        return img
    return converted if converted is not None else img


def _output_mode(img: Image.Image, fmt: str) -> str:
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if fmt == "JPEG":
        return "L" if img.mode in ("L", "1") else "RGB"
    if img.mode in ("L", "1") and fmt == "PNG":
        return "L"
    return "RGBA" if has_alpha else "RGB"
