"""Signal Desktop chats exported by signal-export (``sigexport``): ``chat.md`` or ``data.json``.

Signal has no export of its own; signal-export (carderne/signal-export) reads Signal Desktop's
database and writes, per chat, a folder with ``chat.md``, ``data.json`` and ``index.html``.
What it writes was read in its source (public, reference only):

* ``sigexport/models.py`` (``Message.to_md``): one message is
  ``[YYYY-MM-DD HH:MM:SS] Sender: {quote}{body}`` then, when there are some, reactions
  ``\\n(- Name: emoji -)``, a sticker, and attachments ``![name](./media/file)  `` (images) or
  ``[name](./media/file)  ``; a deleted one is ``Sender: (This message was deleted)``.
  ``sigexport/main.py`` prints each of them (so a blank line follows every message) into
  ``chat.md``, and ``Message.dict_str()`` (one JSON object a line: ``date``, ``sender``, ``body``,
  ``quote``, ``sticker``, ``reactions``, ``attachments`` [{``name``, ``path``}], ``deleted``…) into
  ``data.json``.
* ``sigexport/create.py``: the body has its backquotes removed and two spaces added (a
  markdown line break); the sender is ``Me`` for one's own messages, the contact's name, or
  ``No-Sender``. ``sigexport/utils.py`` (``dt_from_ts``): times are the exporting computer's
  local time, without offset. ``sigexport/merge.py``: older exports (``index.md``) wrote
  ``[YYYY-MM-DD HH:MM]`` or ``[YYYY-MM-DD, HH:MM]``, one line a message, no blank line.

Reading: times are read in the given time zone (the computer's, at export; a repeated hour
takes its first occurrence). Author: the sender exactly as written (``Me`` included). Text,
``chat.md``: everything after ``Sender: `` up to the next message, without the line break that
ends the message and the blank line that follows it — the rest exactly as written, including
the tool's own markdown (its two trailing spaces, a quoted reply ``> …``, reactions, links),
since markdown cannot tell them apart from what was typed. Links to ``./media/…`` or
``../exported_stickers/…`` are also listed as attachments. Text, ``data.json``: the ``body``
field as written; the quoted reply and reactions are separate fields, left in the file.
Neither file has message ids or reply links: ``create.py`` (``create_message``) keeps of a
quoted message only its text (``quote["text"]``), not its id nor its author, so a reply cannot
be linked to the message it answers (``source_id`` and ``reply_to`` stay None).
A line that starts like a message header inside a typed text is read as a new message:
``chat.md`` cannot tell, ``data.json`` can — prefer it when both are there.

Both are line-based: each entry has its first and last line (1-based) and no pointer.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from recours.domain.chat.model import ChatEntry, ParsedExport
from recours.errors import ChatParseError

MAX_BYTES = 256 * 1024 * 1024
DELETED = "(This message was deleted)"
_BOM = b"\xef\xbb\xbf"
# The header of a message, as written by Message.to_md (and by older versions: no seconds, comma).
HEADER = re.compile(
    rb"^\[(?P<date>\d{4}-\d{2}-\d{2}),? (?P<time>\d{2}:\d{2}(?::\d{2})?)\] (?P<sender>[^\n]*?): ?",
    re.MULTILINE,
)
# The tool ends every body with two spaces: before the next header, or at the end of the file.
_TOOL_LINE_END = re.compile(rb"  \n\n?(?:\[\d{4}-\d{2}-\d{2},? \d{2}:\d{2}|\Z)")
_LINK = re.compile(r"!?\[[^\]\n]*\]\((?P<path>\.{1,2}/[^)\s]+)\)")
_JSON_LINE_START = b'{"date": "'
# Dates before Signal or far ahead are a broken file; the bound also keeps sorting safe.
_YEARS = range(1970, 3000)


def looks_like_signal(data: bytes) -> bool:
    """Signal's header, and the two spaces the tool adds at the end of a body (which a WhatsApp
    iOS export with year-first dates, whose header looks the same, does not have)."""
    head = data[:65536].removeprefix(_BOM)
    if head.startswith(_JSON_LINE_START):
        first_line = head.split(b"\n", 1)[0]
        return b'"sender": ' in first_line and b'"body": ' in first_line
    return HEADER.match(head) is not None and _TOOL_LINE_END.search(head) is not None


def parse_signal(data: bytes, *, tz: str = "Europe/Paris") -> ParsedExport:
    if len(data) > MAX_BYTES:
        raise ChatParseError(
            "too_large", "Ce fichier est trop gros pour un export.", "This file is too large for an export."
        )
    data = data.removeprefix(_BOM)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")  # written in text mode on Windows; lines stay the same
    zone = ZoneInfo(tz)
    if data.startswith(b"{"):
        entries = [_json_entry(line, number, zone) for number, line in _lines(data) if line.strip()]
    else:
        entries = _markdown_entries(data, zone)
    return ParsedExport(format="signal", entries=entries, timezone=tz)


# -- errors and shared pieces -----------------------------------------------------------------


def _not_signal() -> ChatParseError:
    return ChatParseError(
        "not_signal",
        "Ce fichier ne ressemble pas à un export signal-export (chat.md ou data.json) : "
        "la première ligne ne commence pas par une date entre crochets.",
        "This file does not look like a signal-export export (chat.md or data.json): "
        "the first line does not start with a date in brackets.",
    )


def _bad_record(what_fr: str, what_en: str, first: int, last: int) -> ChatParseError:
    if first == last:
        return ChatParseError("bad_record", f"{what_fr} (ligne {first}).", f"{what_en} (line {first}).")
    return ChatParseError(
        "bad_record", f"{what_fr} (lignes {first} à {last}).", f"{what_en} (lines {first} to {last})."
    )


def _decode(raw: bytes, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ChatParseError(
            "not_utf8",
            f"Le fichier n’est pas du texte UTF-8 valable (vers la ligne {line}). "
            "Reprenez le fichier tel que signal-export l’a écrit.",
            f"The file is not valid UTF-8 text (near line {line}). Use the file as signal-export wrote it.",
        ) from None


def _local_time(written: str, zone: ZoneInfo, first: int, last: int) -> datetime:
    """A local time without offset (the exporting computer's), read in ``zone``."""
    try:
        parsed = datetime.fromisoformat(written)
    except ValueError:
        raise _bad_record("Date illisible", "Unreadable date", first, last) from None
    # fold=0 (the default): in the hour repeated when clocks go back, the first occurrence.
    local = parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed
    try:
        local = local.astimezone(zone)
    except OverflowError:
        raise _bad_record("Date illisible", "Unreadable date", first, last) from None
    if local.year not in _YEARS:
        raise _bad_record("Date illisible", "Unreadable date", first, last)
    return local


def _lines(data: bytes) -> list[tuple[int, bytes]]:
    return list(enumerate(data.split(b"\n"), start=1))


# -- chat.md ----------------------------------------------------------------------------------


def _markdown_entries(data: bytes, zone: ZoneInfo) -> list[ChatEntry]:
    headers = list(HEADER.finditer(data))
    if not headers or headers[0].start() != 0:
        _decode(data[:65536], 1)  # an invalid file says so first
        raise _not_signal()
    entries = []
    line = 1
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        end = following.start() if following else len(data)
        # The line break ending the message, and the blank line the tool prints after it.
        raw = data[header.end() : end].removesuffix(b"\n").removesuffix(b"\n")
        last = line + raw.count(b"\n")
        entries.append(_markdown_entry(header, _decode(raw, line), zone, line, last))
        line += data.count(b"\n", header.start(), end)
    return entries


def _markdown_entry(header: re.Match[bytes], text: str, zone: ZoneInfo, first: int, last: int) -> ChatEntry:
    written = f"{header['date'].decode()} {header['time'].decode()}"
    timestamp = _local_time(written, zone, first, last)
    sender = _decode(header["sender"], first) or None
    attachments = tuple(match["path"] for match in _LINK.finditer(text))
    deleted = text == DELETED
    return ChatEntry(timestamp, sender, "message", None, text, attachments, False, deleted, first, last)


# -- data.json --------------------------------------------------------------------------------


def _json_entry(line: bytes, number: int, zone: ZoneInfo) -> ChatEntry:
    try:
        record = json.loads(_decode(line, number))
    except (ValueError, RecursionError):
        raise ChatParseError(
            "not_json",
            f"La ligne {number} n’est pas du JSON valable.",
            f"Line {number} is not valid JSON.",
        ) from None
    if not isinstance(record, dict):
        raise _bad_record("Message illisible", "Unreadable message", number, number)
    date, body = _string(record, "date", number), _string(record, "body", number)
    sender = record.get("sender")
    if sender is not None and not isinstance(sender, str):
        raise _bad_record("Champ « sender » illisible", "Unreadable “sender” field", number, number)
    timestamp = _local_time(date, zone, number, number)
    attachments = tuple(_attachment_paths(record.get("attachments")))
    deleted = record.get("deleted") is True
    return ChatEntry(
        timestamp, sender or None, "message", None, body, attachments, False, deleted, number, number
    )


def _string(record: dict[str, Any], key: str, number: int) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise _bad_record(f"Champ « {key} » illisible", f"Unreadable “{key}” field", number, number)
    return value


def _attachment_paths(attachments: Any) -> list[str]:
    if not isinstance(attachments, list):
        return []
    return [
        item["path"] for item in attachments if isinstance(item, dict) and isinstance(item.get("path"), str)
    ]
