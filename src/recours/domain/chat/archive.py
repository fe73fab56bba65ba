"""A ``.zip`` received from someone else, checked before one byte of it is decompressed.

Pure: the archive is bytes in memory, read with the standard library (``zipfile`` only to decode
the central directory, ``zlib`` to inflate); nothing is written anywhere. Every way an archive
can attack the computer that opens it is refused with a :class:`ChatParseError` whose ``code``
says which, and a message that tells the user nothing was extracted or saved:

* a bomb: too much data once decompressed (declared total, or one member compressed far beyond
  what real files allow), members overlapping to reuse the same bytes many times (D. Fifield,
  "A better zip bomb", WOOT 2019), or a header that understates the size of its member — sizes
  are enforced again while decompressing, so a lying header cannot get more out than it declared;
* a name that would escape the folder it is extracted to ("zip slip": absolute, ``..``,
  backslash, drive letter), carries control characters (NUL truncates names in C code), or
  equals another one once normalised;
* a symbolic link, a device or a pipe instead of a file; an encrypted member; a member stored in
  a way only other tools read; a damaged or truncated archive (CRC checked).

Nested archives are ordinary members: kept as bytes, never opened.

References are to PKWARE's APPNOTE.TXT 6.3.10 (the .ZIP file format specification).
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, BinaryIO

from recours.errors import ChatParseError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class ArchiveLimits:
    """What an archive may hold.

    * ``max_total_size``: a WhatsApp export with media is the chat text plus the photos, videos
      and voice notes of at most the last 10,000 messages (WhatsApp Help Center, "How to export
      your chat history"); 4 GiB covers a long year of a busy chat and is also what a zip
      without the ZIP64 extension can describe.
    * ``max_ratio`` above ``ratio_floor``: photos, videos and voice notes are already compressed
      (ratio near 1:1); chat text compresses about 5–10:1. Deflate cannot exceed about 1032:1,
      so 200:1 leaves a wide margin for real files while refusing bombs, and small members
      (under 1 MiB, harmless whatever their ratio: blank stickers, empty files) are not judged.
    * ``max_members``: the 10,000 media files WhatsApp can export, twice over.
    """

    max_total_size: int = 4 * GIB
    max_ratio: int = 200
    ratio_floor: int = MIB
    max_members: int = 20_000


DEFAULT_LIMITS = ArchiveLimits()

# Signatures and fixed-size records (APPNOTE 4.3.7, 4.3.12, 4.3.14, 4.3.15, 4.3.16).
_LOCAL_SIGNATURE = b"PK\x03\x04"
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_END_SIGNATURE = b"PK\x06\x06"
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")
_MAX_COMMENT = 0xFFFF

# General purpose flags (APPNOTE 4.4.4): bit 0 encrypted, bit 6 strong encryption, bit 11 names
# in UTF-8, bit 13 central directory encrypted.
_ENCRYPTED_FLAGS = 0x0001 | 0x0040 | 0x2000
_UTF8_NAMES = 0x0800
# Compression methods Recours inflates itself (APPNOTE 4.4.5): 0 stored, 8 deflated. WhatsApp
# and every phone writes these; anything else is refused rather than handed to another decoder.
_STORED, _DEFLATED = 0, 8

_CHUNK = MIB
_DRIVE = re.compile(r"^[A-Za-z]:")
# What zipfile raises on a malformed central directory (it is given bytes, never a path).
_DIRECTORY_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    ValueError,
    struct.error,
    OSError,
    EOFError,
    IndexError,
    OverflowError,
)

_NOTHING_FR = "Rien n’a été extrait ni enregistré."
_NOTHING_EN = "Nothing was extracted or saved."


def _refused(code: str, fr: str, en: str) -> ChatParseError:
    return ChatParseError(code, f"{fr} {_NOTHING_FR}", f"{en} {_NOTHING_EN}")


def _shown(name: str) -> str:
    """A member name fit to be shown: invisible characters made visible, length capped."""
    visible = "".join(c if c.isprintable() else "\ufffd" for c in name)
    return visible if len(visible) <= 80 else visible[:79] + "…"


def _damaged() -> ChatParseError:
    return _refused(
        "zip_damaged",
        "Cette archive .zip est abîmée ou incomplète (téléchargement interrompu ?). "
        "Exportez à nouveau la discussion depuis WhatsApp.",
        "This .zip archive is damaged or incomplete (interrupted download?). "
        "Export the chat again from WhatsApp.",
    )


@dataclass(frozen=True)
class Member:
    """One file of the archive, as its central directory describes it."""

    name: str
    size: int
    compressed_size: int
    crc: int
    method: int
    data_start: int


class SafeArchive:
    """An archive that passed :func:`open_archive`; its files decompressed on demand, one chunk
    at a time, with the declared size and the CRC enforced while they are produced."""

    def __init__(self, data: bytes, members: Mapping[str, Member]) -> None:
        self._data = memoryview(data)
        self._members = dict(members)

    @property
    def names(self) -> tuple[str, ...]:
        """The files, in archive order (folders are not listed: they hold nothing)."""
        return tuple(self._members)

    def size(self, name: str) -> int:
        return self._members[name].size

    def chunks(self, name: str) -> Iterator[bytes]:
        """The content of ``name`` in pieces of at most 1 MiB; raises :class:`ChatParseError`
        (``zip_bomb``) as soon as it outgrows its declared size, ``zip_damaged`` when it ends
        short or its CRC-32 differs (APPNOTE 4.4.7)."""
        member = self._members[name]
        raw = self._data[member.data_start : member.data_start + member.compressed_size]
        pieces = _inflated(raw) if member.method == _DEFLATED else _stored(raw)
        produced = 0
        crc = 0
        for piece in pieces:
            produced += len(piece)
            if produced > member.size:
                raise _larger_than_declared(name)
            crc = zlib.crc32(piece, crc)
            yield piece
        if produced != member.size or crc != member.crc:
            raise _damaged()

    def read(self, name: str) -> bytes:
        return b"".join(self.chunks(name))

    def head(self, name: str, limit: int) -> bytes:
        """The first ``limit`` bytes or so (to recognise a file), without decompressing the rest."""
        found = bytearray()
        pieces = self.chunks(name)
        for piece in pieces:
            found += piece
            if len(found) >= limit:
                break
        return bytes(found[:limit])

    def digest(self, name: str) -> tuple[str, int]:
        """SHA-256 and size of ``name``, read in full: every check of :meth:`chunks` is passed."""
        sha = hashlib.sha256()
        size = 0
        for piece in self.chunks(name):
            sha.update(piece)
            size += len(piece)
        return sha.hexdigest(), size

    def open(self, name: str) -> BinaryIO:
        """``name`` as a readable binary file (decompressed as it is read)."""
        return io.BufferedReader(_ChunkStream(self.chunks(name)), buffer_size=_CHUNK)


class _ChunkStream(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._current = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._current:
            piece = next(self._chunks, None)
            if piece is None:
                return 0
            self._current = memoryview(piece)
        target = memoryview(buffer).cast("B")
        count = min(len(target), len(self._current))
        target[:count] = self._current[:count]
        self._current = self._current[count:]
        return count


def _stored(raw: memoryview) -> Iterator[bytes]:
    for start in range(0, len(raw), _CHUNK):
        yield bytes(raw[start : start + _CHUNK])


def _inflated(raw: memoryview) -> Iterator[bytes]:
    """Raw deflate (RFC 1951, no zlib header: APPNOTE 4.4.5), never more than one chunk of output
    per step, so a member that expands far beyond its declared size is stopped by the caller
    after at most one chunk too many."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending: bytes | memoryview = b""
    position = 0
    try:
        while not inflater.eof:
            if not pending and position < len(raw):
                pending = raw[position : position + _CHUNK]
                position += len(pending)
            piece = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            if piece:
                yield piece
            elif not pending and position >= len(raw) and not inflater.eof:
                raise _damaged()  # the compressed data stops before the end of its stream
    except zlib.error:
        raise _damaged() from None


def _larger_than_declared(name: str) -> ChatParseError:
    return _refused(
        "zip_bomb",
        f"Le fichier « {_shown(name)} » de cette archive contient bien plus de données qu’annoncé : "
        "c’est la marque d’une « bombe zip », faite pour saturer un ordinateur.",
        f"The file “{_shown(name)}” in this archive holds far more data than it declares: "
        "the mark of a “zip bomb”, made to overwhelm a computer.",
    )


# -- checking the archive before anything is decompressed ----------------------------------------


def open_archive(data: bytes, limits: ArchiveLimits = DEFAULT_LIMITS) -> SafeArchive:
    """Check ``data`` as a zip archive from its central directory, before decompressing anything."""
    if not data.startswith((_LOCAL_SIGNATURE, _END_SIGNATURE)):
        raise ChatParseError(
            "not_zip",
            "Ce fichier n’est pas une archive .zip. Rien n’a été enregistré.",
            "This file is not a .zip archive. Nothing was saved.",
        )
    directory_start, directory_size = _central_directory(data)
    _count_entries(data, directory_start, directory_size, limits.max_members)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as parsed:
            infos = parsed.infolist()
    except _DIRECTORY_ERRORS:
        raise _damaged() from None
    seen: set[str] = set()
    for info in infos:
        _check_member(info, seen)
    _check_sizes(infos, limits)
    starts = _check_local_headers(data, infos, directory_start)
    return SafeArchive(
        data,
        {
            info.orig_filename: Member(
                info.orig_filename, info.file_size, info.compress_size, info.CRC, info.compress_type, start
            )
            for info, start in zip(infos, starts, strict=True)
            if not info.is_dir()
        },
    )


def _central_directory(data: bytes) -> tuple[int, int]:
    """Where the central directory starts and its size, from the end record (APPNOTE 4.3.16) or
    its ZIP64 version (4.3.14) when the classic fields overflow."""
    at = data.rfind(_END_SIGNATURE, max(0, len(data) - _END.size - _MAX_COMMENT))
    if at < 0 or at + _END.size > len(data):
        raise _damaged()  # no end record: a truncated download
    _, disk, directory_disk, _, _, size, offset, _ = _END.unpack_from(data, at)
    end = at
    locator_at = at - _ZIP64_LOCATOR.size
    if locator_at >= 0 and data.startswith(_ZIP64_LOCATOR_SIGNATURE, locator_at):
        zip64_at = locator_at - _ZIP64_END.size
        if zip64_at < 0 or not data.startswith(_ZIP64_END_SIGNATURE, zip64_at):
            raise _damaged()
        _, _, _, _, disk, directory_disk, _, _, size, offset = _ZIP64_END.unpack_from(data, zip64_at)
        end = zip64_at
    # Archives split over several disks are not exports; an offset that disagrees with where the
    # directory really is means data was added in front or the record lies: both refused.
    if disk != 0 or directory_disk != 0 or end - size != offset or offset < 0:
        raise _damaged()
    return offset, size


def _count_entries(data: bytes, start: int, size: int, limit: int) -> None:
    """Walk the central directory headers (APPNOTE 4.3.12) without decoding them: a directory of
    millions of entries is refused before any of them becomes a Python object."""
    position, end, count = start, start + size, 0
    while position < end:
        if position + _CENTRAL.size > end or not data.startswith(_CENTRAL_SIGNATURE, position):
            raise _damaged()
        name_length, extra_length, comment_length = struct.unpack_from("<3H", data, position + 28)
        position += _CENTRAL.size + name_length + extra_length + comment_length
        count += 1
        if count > limit:
            raise _refused(
                "zip_too_many_files",
                f"Cette archive contient trop de fichiers (plus de {limit}) pour un export de discussion.",
                f"This archive holds too many files (over {limit}) for a chat export.",
            )
    if position != end:
        raise _damaged()


def _check_member(info: zipfile.ZipInfo, seen: set[str]) -> None:
    # orig_filename: zipfile cuts ``filename`` at the first NUL, which would hide it.
    name = info.orig_filename
    _check_name(name)
    # The upper 16 bits of the external attributes are the Unix mode when the archive was made
    # on Unix (APPNOTE 4.4.2 "version made by", 4.4.15; Info-ZIP's convention).
    file_type = stat.S_IFMT(info.external_attr >> 16)
    if file_type == stat.S_IFLNK:
        raise _refused(
            "zip_symlink",
            f"Cette archive contient un lien symbolique (« {_shown(name)} ») : il pourrait désigner "
            "un autre fichier de votre ordinateur.",
            f"This archive contains a symbolic link (“{_shown(name)}”): it could point to another "
            "file on your computer.",
        )
    if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise _refused(
            "zip_special_file",
            f"Cette archive contient un fichier spécial (« {_shown(name)} »), pas un fichier ordinaire.",
            f"This archive contains a special file (“{_shown(name)}”), not an ordinary file.",
        )
    if info.flag_bits & _ENCRYPTED_FLAGS:
        raise _encrypted()
    if info.compress_type not in (_STORED, _DEFLATED):
        raise _refused(
            "zip_unsupported",
            f"Le fichier « {_shown(name)} » de cette archive est compressé d’une façon que Recours ne "
            "lit pas. Exportez à nouveau la discussion depuis WhatsApp.",
            f"The file “{_shown(name)}” in this archive is compressed in a way Recours does not read. "
            "Export the chat again from WhatsApp.",
        )
    key = _normalised(name)
    if key in seen:
        raise _refused(
            "zip_duplicate_name",
            f"Deux fichiers de cette archive portent le même nom (« {_shown(name)} ») : impossible de "
            "savoir lequel est le bon.",
            f"Two files in this archive have the same name (“{_shown(name)}”): there is no telling "
            "which one is right.",
        )
    seen.add(key)


def _check_name(name: str) -> None:
    if not name or any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise _refused(
            "zip_bad_name",
            f"Un fichier de cette archive a un nom vide ou avec des caractères cachés (« {_shown(name)} »).",
            f"A file in this archive has an empty name or one with hidden characters (“{_shown(name)}”).",
        )
    # APPNOTE 4.4.17: names are relative, with forward slashes, and no drive letter. Anything else
    # would write outside the folder chosen for the extraction ("zip slip").
    if "\\" in name or name.startswith("/") or _DRIVE.match(name) or ".." in name.split("/"):
        raise _refused(
            "zip_traversal",
            f"Un fichier de cette archive a un nom dangereux (« {_shown(name)} ») : il chercherait à "
            "s’écrire ailleurs sur votre ordinateur. Une archive exportée par WhatsApp n’en contient jamais.",
            f"A file in this archive has a dangerous name (“{_shown(name)}”): it would try to write "
            "elsewhere on your computer. An archive exported by WhatsApp never contains one.",
        )


def _normalised(name: str) -> str:
    """The name as a file system may see it: one Unicode form (macOS writes NFD), case ignored
    (Windows, macOS), no empty or ``.`` components. Two names equal here are duplicates."""
    parts = unicodedata.normalize("NFC", name).casefold().split("/")
    return "/".join(part for part in parts if part not in ("", "."))


def _encrypted() -> ChatParseError:
    return _refused(
        "zip_encrypted",
        "Cette archive est protégée par un mot de passe : Recours ne peut pas la lire. "
        "Exportez la discussion sans mot de passe.",
        "This archive is protected by a password: Recours cannot read it. "
        "Export the chat without a password.",
    )


def _check_sizes(infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_size:
        fr, en = _amount(limits.max_total_size)
        raise _refused(
            "zip_bomb",
            f"Une fois décompressée, cette archive ferait plus de {fr} : c’est trop, elle pourrait "
            "saturer votre ordinateur.",
            f"Once decompressed, this archive would take over {en}: too much, it could overwhelm your "
            "computer.",
        )
    for info in infos:
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * info.compress_size:
            raise _refused(
                "zip_bomb",
                f"Le fichier « {_shown(info.orig_filename)} » de cette archive est compressé de façon "
                "anormale : c’est la marque d’une « bombe zip », faite pour saturer un ordinateur.",
                f"The file “{_shown(info.orig_filename)}” in this archive is compressed abnormally: "
                "the mark of a “zip bomb”, made to overwhelm a computer.",
            )


def _amount(size: int) -> tuple[str, str]:
    """A size in whole gibibytes or mebibytes, written the French and the English way."""
    if size >= GIB:
        return f"{size // GIB} Go", f"{size // GIB} GB"
    return f"{max(1, size // MIB)} Mo", f"{max(1, size // MIB)} MB"


def _check_local_headers(data: bytes, infos: list[zipfile.ZipInfo], directory_start: int) -> list[int]:
    """Where each member's data starts, from its local header (APPNOTE 4.3.7), which must agree
    with the central directory; members must not overlap (overlap is how a bomb reuses the same
    compressed bytes for many files)."""
    starts = []
    spans = []
    for info in infos:
        at = info.header_offset
        if at < 0 or at + _LOCAL.size > directory_start or not data.startswith(_LOCAL_SIGNATURE, at):
            raise _damaged()
        _, _, flags, method, _, _, _, _, _, name_length, extra_length = _LOCAL.unpack_from(data, at)
        raw_name = data[at + _LOCAL.size : at + _LOCAL.size + name_length]
        if flags & _ENCRYPTED_FLAGS:
            raise _encrypted()
        # The local name is decoded as zipfile decodes the central one (by the central flags).
        if method != info.compress_type or _decoded_name(raw_name, info.flag_bits) != info.orig_filename:
            raise _damaged()  # two different stories about the same file
        start = at + _LOCAL.size + name_length + extra_length
        end = start + info.compress_size
        if end > directory_start:
            raise _damaged()
        starts.append(start)
        spans.append((at, end))
    spans.sort()
    for (_, previous_end), (next_start, _) in pairwise(spans):
        if next_start < previous_end:
            raise _refused(
                "zip_overlap",
                "Des fichiers de cette archive se chevauchent : c’est la marque d’une « bombe zip », "
                "faite pour saturer un ordinateur.",
                "Files in this archive overlap: the mark of a “zip bomb”, made to overwhelm a computer.",
            )
    return starts


def _decoded_name(raw: bytes, flags: int) -> str | None:
    """A name as zipfile decodes it: UTF-8 when flagged, else code page 437 (APPNOTE appendix D)."""
    try:
        return raw.decode("utf-8" if flags & _UTF8_NAMES else "cp437")
    except UnicodeDecodeError:
        return None
