"""Snapchat "My Data" downloads: ``json/chat_history.json`` (saved chats), both known shapes.

Sources read (public, reference only):

* newer shape, an object keyed by conversation (friend username or group id), each a list of
  records ``From``, ``Media Type``, ``Created`` (``"2024-01-20 06:33:05 UTC"``), ``Content``,
  ``Conversation Title``, ``IsSender``, ``Created(microseconds)``, ``IsSaved``, ``Media IDs``:
  raleighlittles/Snapchat-Chats-And-Location-Analyzer ``snapchat_chat_parser.py`` (a commented
  2024 record), vanillaiice/snaparser ``parser/parser.go``, and a schema note found in the code
  corpus (no repository named) listing the ``Media Type`` values (TEXT, MEDIA, STICKER, SHARE,
  NOTE, LOCATION, STATUSERASEDMESSAGE, STATUSPARTICIPANTREMOVED, STATUSSAVETOCAMERAROLL…) and
  ``Media IDs`` separated by ``" | "``; other ``STATUS…`` values (calls, screenshots, added
  participant, renamed conversation) are from chat viewers in the same corpus;
* older shape, top-level lists ``"Received Saved Chat History"`` / ``"Sent Saved Chat History"``
  (and their ``Unsaved`` variants) of ``From`` or ``To``, ``Media Type``, ``Created``, ``Text``:
  raleighlittles/Snapchat-Chats-And-Location-Analyzer (same file) and abrignoni/RLEAPP
  ``scripts/artifacts/snapChathistory.py``.

``Created`` is UTC: it is converted to the requested time zone. ``Created(microseconds)``
holds milliseconds in every sample seen, despite its name; it is used only when ``Created`` is
missing, its unit told by its size. Texts are kept exactly as written (older files escape some
characters as HTML entities, ``&#39;``: they are left as they are, the file says so).

Who wrote what: ``From`` as written. An older "Sent" record has only ``To``: it was sent by the
account owner, attributed to ``me`` when given, else left without author. Media records
(``MEDIA``, ``STICKER``, ``NOTE``…) list their ``Media IDs`` as attachments; without an id the
media is not in the download (``media_omitted``). ``STATUSERASED…`` says that ``From`` erased
a message (a deleted message, like WhatsApp's notice); other ``STATUS…`` records are system
events. Records are sorted by time (stable: the file's order for equal times); each keeps its
RFC 6901 JSON pointer, e.g. ``/hugo_b/3`` or ``/Received Saved Chat History/0``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from recours.domain.chat.model import ChatEntry, ParsedExport, SystemKind, instant, load_json
from recours.errors import ChatParseError

MAX_BYTES = 256 * 1024 * 1024
OLD_SECTIONS = (
    "Received Saved Chat History",
    "Sent Saved Chat History",
    "Received Unsaved Chat History",
    "Sent Unsaved Chat History",
)
_MEDIA_ID_SEPARATOR = " | "
_TEXT_TYPES = frozenset({"TEXT", ""})
_STATUS_KINDS: dict[str, SystemKind] = {
    "STATUSPARTICIPANTREMOVED": "member_removed",
    "STATUSPARTICIPANTADDED": "member_added",
    "STATUSCONVERSATIONNAMECHANGED": "group_renamed",
}
# Both keys of a record, as JSON keys (a quote right after the name, then a colon): a text that
# merely mentions them is escaped (\") inside a JSON string and does not match.
_SNIFF_MEDIA_TYPE = re.compile(rb'"Media Type"\s*:')
_SNIFF_CREATED = re.compile(rb'"Created"\s*:')
# Dates before Snapchat or far ahead are a broken file; the bound also keeps sorting safe.
_YEARS = range(1970, 3000)


def looks_like_snapchat(data: bytes) -> bool:
    head = data[:65536]
    return (
        head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
        and bool(_SNIFF_MEDIA_TYPE.search(head))
        and bool(_SNIFF_CREATED.search(head))
    )


def parse_snapchat(data: bytes, *, tz: str = "Europe/Paris", me: str | None = None) -> ParsedExport:
    document = load_json(data, MAX_BYTES)
    zone = ZoneInfo(tz)
    entries = [_entry(record, sent, zone, me, pointer) for record, sent, pointer in _records(document)]
    entries.sort(key=instant)
    return ParsedExport(format="snapchat", entries=entries, timezone=tz)


def _not_snapchat() -> ChatParseError:
    return ChatParseError(
        "not_snapchat",
        "Ce fichier JSON n’est pas l’historique des discussions Snapchat (chat_history.json).",
        "This JSON file is not a Snapchat chat history (chat_history.json).",
    )


def _bad_record(what_fr: str, what_en: str, pointer: str) -> ChatParseError:
    return ChatParseError("bad_record", f"{what_fr} ({pointer}).", f"{what_en} ({pointer}).")


def escape(key: str) -> str:
    """One reference token of an RFC 6901 JSON pointer ("~" and "/" escaped)."""
    return key.replace("~", "~0").replace("/", "~1")


def _records(document: Any) -> list[tuple[Any, bool, str]]:
    """Every record with whether the older shape says it was sent, and its JSON pointer."""
    if not isinstance(document, dict) or not document:
        raise _not_snapchat()
    if any(key in document for key in OLD_SECTIONS):
        sections = [(key, document[key]) for key in OLD_SECTIONS if key in document]
    else:
        sections = list(document.items())
    if not all(isinstance(records, list) for _, records in sections):
        raise _not_snapchat()
    found = [
        (record, key.startswith("Sent "), f"/{escape(key)}/{index}")
        for key, records in sections
        for index, record in enumerate(records)
    ]
    if found and not any(isinstance(record, dict) and "Media Type" in record for record, _, _ in found):
        raise _not_snapchat()
    return found


def _entry(record: Any, sent: bool, zone: ZoneInfo, me: str | None, pointer: str) -> ChatEntry:
    if not isinstance(record, dict):
        raise _bad_record("Message illisible", "Unreadable message", pointer)
    timestamp = _when(record, zone, pointer)
    media_type = _string(record, "Media Type", pointer)
    author = _author(record, sent, me, pointer)
    text = _string(record, "Content", pointer) or _string(record, "Text", pointer)
    if media_type.startswith("STATUSERASED"):
        return ChatEntry(timestamp, author, "message", None, text, (), False, True, 0, 0, pointer)
    if media_type.startswith("STATUS"):
        described = " ".join(part for part in (author or "", media_type, text) if part)
        return ChatEntry(
            timestamp, None, "system", _status_kind(media_type), described, (), False, False, 0, 0, pointer
        )
    media_ids = tuple(
        part for part in _string(record, "Media IDs", pointer).split(_MEDIA_ID_SEPARATOR) if part
    )
    omitted = media_type not in _TEXT_TYPES and not media_ids and not text
    return ChatEntry(timestamp, author, "message", None, text, media_ids, omitted, False, 0, 0, pointer)


def _status_kind(media_type: str) -> SystemKind:
    if media_type.startswith("STATUSCALL"):
        return "call"
    return _STATUS_KINDS.get(media_type, "other")


def _string(record: dict[str, Any], key: str, pointer: str) -> str:
    """A text field: missing or null is empty; any other non-string is a broken record."""
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad_record(f"Champ « {key} » illisible", f"Unreadable “{key}” field", pointer)
    return value


def _author(record: dict[str, Any], sent: bool, me: str | None, pointer: str) -> str | None:
    written = _string(record, "From", pointer)
    if written:
        return written
    return me if sent or record.get("IsSender") is True else None


def _when(record: dict[str, Any], zone: ZoneInfo, pointer: str) -> datetime:
    try:
        created = record.get("Created")
        if isinstance(created, str):
            instant = _from_text(created)
        else:
            instant = _from_number(record.get("Created(microseconds)"))
        local = instant.astimezone(zone)
    except (ValueError, TypeError, OverflowError, OSError):
        raise _bad_record("Date illisible", "Unreadable date", pointer) from None
    if local.year not in _YEARS:
        raise _bad_record("Date illisible", "Unreadable date", pointer)
    return local


def _from_text(created: str) -> datetime:
    """``"2023-05-01 12:34:56 UTC"`` (or ISO 8601): an instant, UTC unless an offset is written."""
    parsed = datetime.fromisoformat(created.removesuffix(" UTC"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _from_number(value: Any) -> datetime:
    # Milliseconds in every sample (13 digits today); true microseconds would have 16.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("no date")
    seconds = value / 1_000_000 if abs(value) >= 10**14 else value / 1000
    return datetime.fromtimestamp(seconds, tz=UTC)
