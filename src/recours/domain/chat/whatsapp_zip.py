"""WhatsApp ``.zip`` exports ("Export chat" → "Include media"): the chat text and its media.

The archive holds, at its top level, one text file — ``_chat.txt`` on iOS, ``WhatsApp Chat with
X.txt`` / ``Discussion WhatsApp avec X.txt`` (or the phone's language) on Android — and the media
files under the names the text gives them: ``IMG-20260714-WA0003.jpg (fichier joint)`` on
Android, ``<pièce jointe : 00000012-PHOTO-2026-07-14-09-05-12.jpg>`` on iOS (see
:mod:`recours.domain.chat.whatsapp` for how those names are read).

Pure: the archive is checked by :func:`~recours.domain.chat.archive.open_archive` before anything
is decompressed, then only the chat text is read here; media are read later, by name, from the
:class:`SafeArchive` kept in the result.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from recours.domain.chat.archive import DEFAULT_LIMITS, MIB, ArchiveLimits, SafeArchive, open_archive
from recours.domain.chat.model import DateOrder, ParsedExport
from recours.domain.chat.whatsapp import HEADER, parse_whatsapp
from recours.errors import ChatParseError

# The chat text is parsed in memory; 256 MiB is millions of messages (and the web upload limit).
MAX_CHAT_TEXT = 256 * MIB
_SNIFF = 4096  # enough for the first header line
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ChatArchive:
    parsed: ParsedExport
    chat_name: str
    # Attachment name as the chat writes it → archive member holding that file.
    media: Mapping[str, str]
    # Attachments the chat names that are not in the archive (an export "without media", or
    # files WhatsApp had already deleted from the phone).
    missing: tuple[str, ...]
    archive: SafeArchive

    @property
    def media_names(self) -> tuple[str, ...]:
        """The archive members the chat refers to, once each, in order of first mention."""
        return tuple(dict.fromkeys(self.media.values()))


def looks_like_zip(data: bytes) -> bool:
    """A zip archive starts with a local file header (APPNOTE 4.3.7)."""
    return data.startswith(b"PK\x03\x04")


def parse_whatsapp_zip(
    data: bytes,
    *,
    tz: str = "Europe/Paris",
    date_order: DateOrder | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> ChatArchive:
    """Check the archive, find and parse its chat, link the attachments to the media it holds.

    Raises :class:`ChatParseError` (never anything else): an unsafe archive, no chat or several,
    or a chat text that cannot be read.
    """
    archive = open_archive(data, limits)
    chat_name, parsed = _the_chat(archive, tz, date_order)
    media, missing = _link_attachments(parsed, archive, chat_name)
    return ChatArchive(parsed, chat_name, media, missing, archive)


def _the_chat(archive: SafeArchive, tz: str, date_order: DateOrder | None) -> tuple[str, ParsedExport]:
    texts = [name for name in archive.names if "/" not in name and name.casefold().endswith(".txt")]
    chats = [name for name in texts if _starts_like_whatsapp(archive.head(name, _SNIFF))]
    if not chats:
        raise ChatParseError(
            "zip_no_chat",
            "Cette archive ne contient pas d’export WhatsApp (aucun fichier .txt de discussion à sa "
            "racine). Rien n’a été enregistré.",
            "This archive does not contain a WhatsApp export (no chat .txt file at its top level). "
            "Nothing was saved.",
        )
    if len(chats) == 1:
        return chats[0], _parse_text(archive, chats[0], tz, date_order)
    # A chat export can itself have been sent as a document in the chat: that one is media.
    parsed = {name: _parse_text(archive, name, tz, date_order) for name in chats}
    attached = {a for export in parsed.values() for names in export.columns()["attachments"] for a in names}
    remaining = [name for name in chats if name not in attached]
    if len(remaining) != 1:
        listed = ", ".join(f"« {name} »" for name in chats[:5])
        raise ChatParseError(
            "zip_several_chats",
            f"Cette archive contient plusieurs discussions WhatsApp ({listed}). Exportez-les et "
            "importez-les une par une. Rien n’a été enregistré.",
            f"This archive contains several WhatsApp chats ({listed}). Export and import them one "
            "at a time. Nothing was saved.",
        )
    return remaining[0], parsed[remaining[0]]


def _starts_like_whatsapp(head: bytes) -> bool:
    return HEADER.match(head.removeprefix(_BOM)) is not None


def _parse_text(archive: SafeArchive, name: str, tz: str, date_order: DateOrder | None) -> ParsedExport:
    if archive.size(name) > MAX_CHAT_TEXT:
        raise ChatParseError(
            "too_large",
            f"La discussion de cette archive est trop longue (plus de {MAX_CHAT_TEXT // MIB} Mo de "
            "texte). Rien n’a été enregistré.",
            f"The chat in this archive is too long (over {MAX_CHAT_TEXT // MIB} MB of text). "
            "Nothing was saved.",
        )
    return parse_whatsapp(archive.read(name), tz=tz, date_order=date_order)


def _link_attachments(
    parsed: ParsedExport, archive: SafeArchive, chat_name: str
) -> tuple[dict[str, str], tuple[str, ...]]:
    # WhatsApp writes media next to the chat. Names are compared in one Unicode form: the text is
    # NFC, while archives made on Apple systems may hold NFD names.
    beside = {
        unicodedata.normalize("NFC", name): name
        for name in archive.names
        if "/" not in name and name != chat_name
    }
    media: dict[str, str] = {}
    missing: dict[str, None] = {}
    for attachments in parsed.columns()["attachments"]:
        for attachment in attachments:
            member = beside.get(unicodedata.normalize("NFC", attachment))
            if member is not None:
                media[attachment] = member
            else:
                missing[attachment] = None
    return media, tuple(missing)
