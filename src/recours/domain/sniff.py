"""The type of a file from its first bytes, never from its name (a name can lie).

Signatures from the formats' specifications (PNG, JPEG/JFIF, GIF87a/89a, RIFF WEBP/WAVE/AVI,
ISO BMFF ``ftyp`` brands for HEIC/AVIF/MP4/QuickTime, PDF, ZIP, OGG, ID3/MPEG audio, FLAC).
"""

from __future__ import annotations

_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"\x1aE\xdf\xa3", "video/webm"),
    (b"BM", "image/bmp"),
    (b"age-encryption.org/v1", "application/age"),
)
_FTYP_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"avif": "image/avif",
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
}


def sniff(head: bytes) -> str:
    """A MIME type for content starting with ``head`` (give at least 512 bytes when you can)."""
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(
            head[8:12], "application/octet-stream"
        )
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    for prefix, mime in _PREFIXES:
        if head.startswith(prefix):
            return mime
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"
    return _textual(head)


def _textual(head: bytes) -> str:
    if not head:
        return "application/x-empty"
    sample = head.removeprefix(b"\xef\xbb\xbf")
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(sample) - 3:
            return "application/octet-stream"
        text = sample[: exc.start].decode("utf-8")
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return "application/octet-stream"
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html")):
        return "text/html"
    first_line = lowered.split("\n", 1)[0]
    if any(
        first_line.startswith(h)
        for h in ("received:", "from:", "return-path:", "delivered-to:", "message-id:")
    ):
        return "message/rfc822"
    return "text/plain"
