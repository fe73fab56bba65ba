"""Discord: DiscordChatExporter JSON, and the official data package ("Request my data").

Sources read (public, reference only):

* DiscordChatExporter (Tyrrrz/DiscordChatExporter) ``DiscordChatExporter.Core/Exporting/
  JsonMessageWriter.cs``: a root object with ``guild``, ``channel``, ``dateRange``,
  ``exportedAt``, ``messages``; each message ``id``, ``type`` (the name of ``MessageKind``),
  ``timestamp`` (ISO 8601 with offset), ``timestampEdited``, ``content``, ``author`` (``id``,
  ``name``, ``discriminator``, ``nickname``, …), ``attachments`` (``url``, ``fileName``),
  ``embeds``, ``stickers``, ``reactions``, ``mentions``, ``reference``.
  ``Discord/Data/MessageKind.cs`` and ``Message.cs``: the kinds (Default, RecipientAdd,
  RecipientRemove, Call, ChannelNameChange, ChannelIconChange, ChannelPinnedMessage,
  GuildMemberJoin, ThreadCreated, Reply) and the fixed text of system notifications
  ("Added a recipient.", "Started a call that lasted 3 minutes."…).
* The data package: seanbreckenridge/discord_data ``discord_data/parse.py`` (older
  ``messages.csv`` with columns ``ID,Timestamp,Contents,Attachments`` and timestamps like
  ``2020-08-25 22:54:05.726000+00:00``; newer ``messages.json``; ``channel.json`` per
  ``messages/c<channel id>/`` folder) and a schema note found in the code corpus (no repository
  named): ``messages.json`` is a list of ``{"ID", "Timestamp" ("2021-10-13 15:35:46", UTC),
  "Contents", "Attachments" (URLs separated by spaces)}``; ``channel.json`` has ``id``, ``type``,
  ``name``, ``guild`` {``id``, ``name``}, ``recipients``; the package holds only the messages
  the account owner sent.

Author, DiscordChatExporter: ``author.name``, the account name, exactly as written — not the
nickname. The account name identifies the account (unique since Discord's 2023 usernames) and
is the same on every server and in every later export, which is what a complaint needs and
what recognises a message imported twice; the nickname is chosen freely per server, can change
at any time, and the exporter writes the one current *at export time*, not at the message's.
The nickname, discriminator, reactions and embeds stay in the original file, kept in the vault,
reachable with each entry's pointer.

Ids and replies, DiscordChatExporter: each entry's ``source_id`` is the message's ``id`` (a
snowflake, unique across Discord). ``reply_to`` is ``reference.messageId`` for a message of type
``Reply`` only: the exporter writes ``reference`` (``type``, ``messageId``, ``channelId``,
``guildId``) for any message Discord gives a ``message_reference`` to, which also points a pin
notification at the pinned message and a forward (``reference.type`` ``Forward``,
``Discord/Data/MessageReferenceKind.cs``) at its source. The package's ``ID`` column is also kept
as ``source_id``; the package has no reply information. System notifications (members added or
removed, calls, renames…) become typed system events without author; their text is the actor's
account name, the exporter's notification text and the names of the users mentioned.

Author, data package: the files do not name the author (every message is the owner's): it is
``me`` when given, else unknown (``None``).

Timestamps: the exporter writes an offset (converted to the requested zone; without one, the
time is read in that zone); the package's times are UTC.

Pointers: DiscordChatExporter and package ``messages.json``, RFC 6901 JSON pointers
(``/messages/4``, ``/4``). A package ``messages.csv`` read alone is line-based: ``lines`` (first
and last line of the record, 1-based: a text can span lines) and no pointer. A whole package
(:func:`parse_discord_package`) has many files, so a pointer is the file's path in the archive
plus a fragment: ``messages/c123/messages.json#/4`` (RFC 6901 section 6, JSON pointer as URI
fragment) or ``messages/c123/messages.csv#row=5`` (the ``row=`` form of RFC 7111; records are
counted from 1, the header included, as a spreadsheet numbers its rows). Entries are sorted by
time across files. :func:`package_channels` names each ``messages/c<id>`` folder from its
``channel.json`` (channel name, server name, type), to show where a message was sent: entries
have no field for it, and the folder is the start of their pointer.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from recours.domain.chat.model import ChatEntry, ParsedExport, SystemKind, instant, load_json
from recours.errors import ChatParseError

MAX_BYTES = 512 * 1024 * 1024
CSV_HEADER = ["ID", "Timestamp", "Contents", "Attachments"]
_BOM = b"\xef\xbb\xbf"
_MESSAGE_KINDS = frozenset({"Default", "Reply"})
_SYSTEM_KINDS: dict[str, SystemKind] = {
    "RecipientAdd": "member_added",
    "RecipientRemove": "member_removed",
    "Call": "call",
    "ChannelNameChange": "group_renamed",
    "ChannelIconChange": "group_icon_changed",
    "GuildMemberJoin": "member_joined",
}
# JSON keys (name, closing quote, colon): a message text quoting them is escaped and won't match.
_SNIFF_GUILD = re.compile(rb'"guild"\s*:\s*\{')
_SNIFF_CHANNEL = re.compile(rb'"channel"\s*:\s*\{')
_SNIFF_TIMESTAMP = re.compile(rb'"Timestamp"\s*:')
_SNIFF_CONTENTS = re.compile(rb'"Contents"\s*:')
_PACKAGE_FILE = re.compile(r"^(?P<folder>(?:.*/)?messages/c\d+)/messages\.(?P<ext>json|csv)$", re.IGNORECASE)
_CHANNEL_FILE = re.compile(r"^(?P<folder>(?:.*/)?messages/c\d+)/channel\.json$", re.IGNORECASE)
# Dates before Discord or far ahead are a broken file; the bound also keeps sorting safe.
_YEARS = range(1970, 3000)


class DiscordChannel(NamedTuple):
    """What a package's ``channel.json`` says about a ``messages/c<id>`` folder."""

    id: str
    type: str
    name: str | None
    guild: str | None


def looks_like_discord(data: bytes) -> bool:
    head = data[:65536].removeprefix(_BOM)
    start = head.lstrip()[:1]
    if start == b"{":
        return bool(_SNIFF_GUILD.search(head)) and bool(_SNIFF_CHANNEL.search(head)) and b'"messages"' in head
    if start == b"[":
        return bool(_SNIFF_TIMESTAMP.search(head)) and bool(_SNIFF_CONTENTS.search(head))
    return head.startswith(",".join(CSV_HEADER).encode())


def parse_discord(data: bytes, *, tz: str = "Europe/Paris", me: str | None = None) -> ParsedExport:
    """A DiscordChatExporter JSON, or one package ``messages.json`` or ``messages.csv``."""
    zone = ZoneInfo(tz)
    if data.removeprefix(_BOM).lstrip()[:1] in (b"{", b"["):
        document = load_json(data.removeprefix(_BOM), MAX_BYTES)
        if isinstance(document, dict):
            entries = _exporter_entries(document, zone)
        else:
            entries = _package_json_entries(document, zone, me, "")
    else:
        entries = _package_csv_entries(data, zone, me, None)
    entries.sort(key=instant)
    return ParsedExport(format="discord", entries=entries, timezone=tz)


def parse_discord_package(
    members: Mapping[str, bytes], *, tz: str = "Europe/Paris", me: str | None = None
) -> ParsedExport:
    """Every ``messages/c<id>/messages.json`` (or ``.csv``) of an extracted data package."""
    files = _package_files(members)
    if not files:
        raise ChatParseError(
            "not_discord",
            "Cette archive ne contient aucun message Discord (dossier messages/c…/).",
            "This archive holds no Discord messages (messages/c…/ folder).",
        )
    zone = ZoneInfo(tz)
    entries: list[ChatEntry] = []
    for path in files:
        data = members[path]
        if path.lower().endswith(".json"):
            document = load_json(data.removeprefix(_BOM), MAX_BYTES)
            entries += _package_json_entries(document, zone, me, f"{path}#")
        else:
            entries += _package_csv_entries(data, zone, me, path)
    entries.sort(key=instant)
    return ParsedExport(format="discord", entries=entries, timezone=tz)


def package_channels(members: Mapping[str, bytes]) -> dict[str, DiscordChannel]:
    """Each ``messages/c<id>`` folder with what its ``channel.json`` says (unreadable ones left out)."""
    channels = {}
    for path, data in members.items():
        match = _CHANNEL_FILE.match(path)
        if not match:
            continue
        try:
            document = load_json(data.removeprefix(_BOM), MAX_BYTES)
        except ChatParseError:
            continue
        if isinstance(document, dict):
            channels[match["folder"]] = _channel(document)
    return channels


def _channel(document: dict[str, Any]) -> DiscordChannel:
    guild = document.get("guild")
    return DiscordChannel(
        _label(document.get("id")) or "",
        _label(document.get("type")) or "",
        _label(document.get("name")),
        _label(guild.get("name")) if isinstance(guild, dict) else None,
    )


def _label(value: Any) -> str | None:
    """A name or id as written (older packages write numbers); anything else is unknown."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _package_files(members: Mapping[str, bytes]) -> list[str]:
    """The messages files, one per channel folder (the JSON one when both are there)."""
    chosen: dict[str, str] = {}
    for path in sorted(members):
        match = _PACKAGE_FILE.match(path)
        if match and (match["folder"] not in chosen or match["ext"].lower() == "json"):
            chosen[match["folder"]] = path
    return [chosen[folder] for folder in sorted(chosen)]


# -- errors -------------------------------------------------------------------------------------


def _not_discord() -> ChatParseError:
    return ChatParseError(
        "not_discord",
        "Ce fichier n’est pas un export Discord (DiscordChatExporter, ou messages.json ou messages.csv "
        "du paquet de données).",
        "This file is not a Discord export (DiscordChatExporter, or a data package messages.json or "
        "messages.csv).",
    )


class Where(NamedTuple):
    """Where a broken record is, as told to the user: a pointer, or lines of the file."""

    fr: str
    en: str

    @classmethod
    def pointer(cls, pointer: str) -> Where:
        return cls(pointer, pointer)

    @classmethod
    def lines(cls, first: int, last: int) -> Where:
        if first == last:
            return cls(f"ligne {first}", f"line {first}")
        return cls(f"lignes {first} à {last}", f"lines {first} to {last}")


def _bad_record(what_fr: str, what_en: str, where: Where) -> ChatParseError:
    return ChatParseError("bad_record", f"{what_fr} ({where.fr}).", f"{what_en} ({where.en}).")


def _text(record: dict[str, Any], key: str, where: Where) -> str:
    """A text field: missing or null is empty; any other non-string is a broken record."""
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad_record(f"Champ « {key} » illisible", f"Unreadable “{key}” field", where)
    return value


def _when(written: Any, zone: ZoneInfo, where: Where, *, without_offset: tzinfo | None = None) -> datetime:
    """An ISO 8601 time in ``zone``; one without offset is read in ``without_offset`` (else ``zone``)."""
    try:
        if not isinstance(written, str):
            raise ValueError("no date")
        parsed = datetime.fromisoformat(written)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=without_offset or zone)
        local = parsed.astimezone(zone)
    except (ValueError, OverflowError):
        raise _bad_record("Date illisible", "Unreadable date", where) from None
    if local.year not in _YEARS:
        raise _bad_record("Date illisible", "Unreadable date", where)
    return local


# -- DiscordChatExporter ------------------------------------------------------------------------


def _exporter_entries(document: dict[str, Any], zone: ZoneInfo) -> list[ChatEntry]:
    messages = document.get("messages")
    if not isinstance(messages, list) or not ("guild" in document or "channel" in document):
        raise _not_discord()
    return [_exporter_entry(message, zone, f"/messages/{index}") for index, message in enumerate(messages)]


def _exporter_entry(message: Any, zone: ZoneInfo, pointer: str) -> ChatEntry:
    where = Where.pointer(pointer)
    if not isinstance(message, dict):
        raise _bad_record("Message illisible", "Unreadable message", where)
    timestamp = _when(message.get("timestamp"), zone, where)
    author = _account_name(message.get("author"), where)
    text = _text(message, "content", where)
    attachments = _files(message.get("attachments"), ("url", "fileName")) + _files(
        message.get("stickers"), ("sourceUrl", "name")
    )
    kind = message.get("type", "Default")
    source_id = _label(message.get("id"))
    if kind in _MESSAGE_KINDS:
        return ChatEntry(
            timestamp,
            author,
            "message",
            None,
            text,
            attachments,
            False,
            False,
            0,
            0,
            pointer,
            source_id,
            _replied_to(message) if kind == "Reply" else None,
        )
    mentioned = [_account_name(user, where) for user in _list(message.get("mentions"))]
    described = " ".join(part for part in (author, text, *mentioned) if part)
    system = _SYSTEM_KINDS.get(kind, "other") if isinstance(kind, str) else "other"
    return ChatEntry(
        timestamp, None, "system", system, described, attachments, False, False, 0, 0, pointer, source_id
    )


def _replied_to(message: dict[str, Any]) -> str | None:
    """The id of the message a reply answers; None for a forward (older exporters write no
    ``type``: their references are replies)."""
    reference = message.get("reference")
    if not isinstance(reference, dict) or reference.get("type", "Default") != "Default":
        return None
    return _label(reference.get("messageId"))


def _account_name(user: Any, where: Where) -> str | None:
    if user is None:
        return None
    if not isinstance(user, dict):
        raise _bad_record("Auteur illisible", "Unreadable author", where)
    return _text(user, "name", where) or None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _files(items: Any, keys: tuple[str, ...]) -> tuple[str, ...]:
    """Where each attached file is: the first of ``keys`` that is a non-empty string."""
    found = []
    for item in _list(items):
        if isinstance(item, dict):
            names = [item[key] for key in keys if isinstance(item.get(key), str) and item[key]]
            found += names[:1]
    return tuple(found)


# -- data package -------------------------------------------------------------------------------


def _package_json_entries(document: Any, zone: ZoneInfo, me: str | None, prefix: str) -> list[ChatEntry]:
    """``prefix`` goes before each JSON pointer: nothing for a file, ``path#`` in a package."""
    if not isinstance(document, list):
        raise _not_discord()
    if document and not (isinstance(document[0], dict) and "Timestamp" in document[0]):
        raise _not_discord()
    entries = []
    for index, record in enumerate(document):
        pointer = f"{prefix}/{index}"
        entries.append(_package_entry(record, zone, me, Where.pointer(pointer), pointer, (0, 0)))
    return entries


def _package_entry(
    record: Any, zone: ZoneInfo, me: str | None, where: Where, pointer: str | None, lines: tuple[int, int]
) -> ChatEntry:
    if not isinstance(record, dict):
        raise _bad_record("Message illisible", "Unreadable message", where)
    timestamp = _when(record.get("Timestamp"), zone, where, without_offset=UTC)  # the package's times are UTC
    attachments = tuple(_text(record, "Attachments", where).split())
    text = _text(record, "Contents", where)
    source_id = _label(record.get("ID"))
    return ChatEntry(
        timestamp, me, "message", None, text, attachments, False, False, *lines, pointer, source_id
    )


def _package_csv_entries(data: bytes, zone: ZoneInfo, me: str | None, path: str | None) -> list[ChatEntry]:
    """Rows of a package ``messages.csv``; with ``path`` (a whole package), row pointers."""
    if len(data) > MAX_BYTES:
        raise ChatParseError(
            "too_large", "Ce fichier est trop gros pour un export.", "This file is too large for an export."
        )
    try:
        text = data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise ChatParseError(
            "not_utf8",
            "Ce fichier n’est pas du texte UTF-8 valable. Reprenez le fichier tel que Discord l’a envoyé.",
            "This file is not valid UTF-8 text. Use the file as Discord sent it.",
        ) from None
    # newline="": a quoted text keeps its own line breaks (csv module documentation).
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        if next(reader, None) != CSV_HEADER:
            raise _not_discord()
        return _csv_rows(reader, zone, me, path)
    except csv.Error:
        line = reader.line_num
        raise _bad_record("Ligne CSV illisible", "Unreadable CSV line", Where.lines(line, line)) from None


def _csv_rows(reader: Any, zone: ZoneInfo, me: str | None, path: str | None) -> list[ChatEntry]:
    entries = []
    row_number = 1  # the header is row 1
    last_line = reader.line_num
    for row in reader:
        first_line, last_line = last_line + 1, reader.line_num
        if not row:
            continue  # a blank line is not a record
        row_number += 1
        pointer = f"{path}#row={row_number}" if path else None
        where = Where.pointer(pointer) if pointer else Where.lines(first_line, last_line)
        if len(row) != len(CSV_HEADER):
            raise _bad_record("Ligne CSV illisible", "Unreadable CSV line", where)
        record = dict(zip(CSV_HEADER, row, strict=True))
        lines = (0, 0) if pointer else (first_line, last_line)
        entries.append(_package_entry(record, zone, me, where, pointer, lines))
    return entries
