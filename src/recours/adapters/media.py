"""What can be read from an original without changing it: image metadata and a thumbnail.

Originals are never modified (research B.9 D7). Metadata (EXIF: camera, dates, GPS; size in
pixels) is extracted and shown; the thumbnail is a *derived* artefact, re-encoded from the
pixels only, so it carries no EXIF (no GPS position leaks into a dossier). HEIC/HEIF (iPhone
photos) are read through pillow-heif. Anything Pillow cannot read is simply not described.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy
import pdqhash
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

try:  # pragma: no branch - pillow-heif is a dependency; this keeps the module importable without it
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover
    pass

# Larger images are described but not thumbnailed: decoding them costs too much memory.
MAX_PIXELS = 80_000_000
THUMBNAIL = (480, 480)
_WANTED = {
    "Make",
    "Model",
    "Software",
    "DateTime",
    "DateTimeOriginal",
    "DateTimeDigitized",
    "OffsetTime",
    "OffsetTimeOriginal",
    "Orientation",
    "ImageDescription",
    "Artist",
    "LensModel",
}


def describe_image(data: bytes) -> tuple[dict[str, Any], bytes | None]:
    """(metadata, PNG thumbnail without EXIF) of an image, or ({}, None) when it is not one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            details: dict[str, Any] = {
                "image_format": image.format,
                "width": image.width,
                "height": image.height,
            }
            details.update(_exif(image))
            if image.width * image.height > MAX_PIXELS:
                return details, None
            image.load()
            details.update(_pdq(image))
            return details, _thumbnail(image)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return {}, None


def _pdq(image: Image.Image) -> dict[str, Any]:
    """PDQ hash (256 bits, hex) and quality (0–100): near-identical screenshots differ by few bits."""
    rgb = ImageOps.exif_transpose(image).convert("RGB")
    bits, quality = pdqhash.compute(numpy.asarray(rgb))
    value = int("".join("1" if bit else "0" for bit in bits), 2)
    return {"pdq": f"{value:064x}", "pdq_quality": int(quality)}


def _exif(image: Image.Image) -> dict[str, Any]:
    exif = image.getexif()
    found: dict[str, Any] = {}
    tags = {**exif, **exif.get_ifd(ExifTags.IFD.Exif)}
    for tag, value in tags.items():
        name = ExifTags.TAGS.get(tag)
        if name in _WANTED:
            found[f"exif_{name}"] = _plain(value)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if gps:
        position = _gps(gps)
        if position is not None:
            found["exif_gps_latitude"], found["exif_gps_longitude"] = position
    return found


def _gps(gps: Any) -> tuple[float, float] | None:
    try:
        lat = _degrees(gps[2]) * (-1 if gps[1] in ("S", b"S") else 1)
        lon = _degrees(gps[4]) * (-1 if gps[3] in ("W", b"W") else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    return round(lat, 6), round(lon, 6)


def _degrees(value: Any) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    return degrees + minutes / 60 + seconds / 3600


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("\x00")
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _thumbnail(image: Image.Image) -> bytes:
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail(THUMBNAIL)
    return _pixels_only(upright)


def _pixels_only(image: Image.Image) -> bytes:
    # Re-encoded from the pixels alone: no EXIF (GPS, camera), no ICC, no text chunks.
    clean = Image.new("RGB", image.size, "white")
    clean.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def jpeg_for_print(png: bytes, quality: int = 85) -> bytes:
    """A thumbnail as JPEG for the dossier PDF: WeasyPrint puts a JPEG in the PDF as it is, but
    decodes and compresses a PNG again (65 s for a thousand thumbnails; docs/benchmarks.md).
    Same pixels in, same bytes out."""
    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=quality)
        return out.getvalue()


def without_metadata(data: bytes) -> bytes | None:
    """A PNG copy of an image with its pixels only (upright), for a redacted dossier; None when
    it is not an image this can read. The original is never touched."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                return None
            image.load()
            return _pixels_only(ImageOps.exif_transpose(image))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None
