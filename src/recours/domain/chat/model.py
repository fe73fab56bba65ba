"""The record every chat parser produces, whatever the app the export comes from.

Texts and author names are kept exactly as written (never normalised: they are evidence);
timestamps are aware, in the export's time zone; ``lines`` (or a JSON pointer, for JSON
exports) points back into the original file, so any message can be found in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

from recours.errors import ChatParseError

EntryKind = Literal["message", "system"]
SystemKind = Literal[
    "member_added",
    "member_removed",
    "member_left",
    "member_joined",
    "group_created",
    "group_renamed",
    "group_icon_changed",
    "group_description_changed",
    "encryption_notice",
    "disappearing_messages",
    "security_code_changed",
    "call",
    "other",
]
DateOrder = Literal["dmy", "mdy", "ymd"]


class ChatEntry(NamedTuple):
    """One timestamped record (a NamedTuple: cheap to build by the hundred thousand)."""

    timestamp: datetime
    author: str | None
    kind: EntryKind
    system: SystemKind | None
    text: str
    attachments: tuple[str, ...]
    media_omitted: bool
    deleted: bool
    first_line: int
    last_line: int
    # For JSON exports: where the record is in the file (RFC 6901 JSON pointer); lines are 0 then.
    pointer: str | None = None
    # The message's own id in the export, when the format has one (as text, unique in the export),
    # and the id of the message it replies to: the analysis reads who a reply is aimed at.
    source_id: str | None = None
    reply_to: str | None = None

    @property
    def lines(self) -> tuple[int, int]:
        """Where the entry is in the original file: first and last line, 1-based."""
        return self.first_line, self.last_line

    def as_json(self) -> dict[str, Any]:
        return {
            "timestamp": self.timestamp.isoformat(),
            "author": self.author,
            "kind": self.kind,
            "system": self.system,
            "text": self.text,
            "attachments": list(self.attachments),
            "media_omitted": self.media_omitted,
            "deleted": self.deleted,
            **({"pointer": self.pointer} if self.pointer is not None else {"lines": list(self.lines)}),
            # Only when known: formats without ids keep the shape they always had.
            **({"source_id": self.source_id} if self.source_id is not None else {}),
            **({"reply_to": self.reply_to} if self.reply_to is not None else {}),
        }


def id_text(value: Any) -> str | None:
    """A message id as written in a JSON export (a number or a string), as text; anything else
    (missing, null, a boolean, an object) is no id."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def instant(entry: ChatEntry) -> datetime:
    """The entry's time in UTC, to sort by: datetimes sharing one zone compare by wall time, so
    in the hour repeated when clocks go back 02:30+01:00 would wrongly come before 02:40+02:00."""
    return entry.timestamp.astimezone(UTC)


@dataclass(frozen=True)
class ParsedExport:
    format: str
    entries: list[ChatEntry]
    timezone: str
    date_order: DateOrder | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "date_order": self.date_order,
            "entries": [entry.as_json() for entry in self.entries],
        }


def load_json(data: bytes, max_bytes: int) -> Any:
    """A JSON export as Python values, or the parse error a user can read."""
    if len(data) > max_bytes:
        raise ChatParseError(
            "too_large", "Ce fichier est trop gros pour un export.", "This file is too large for an export."
        )
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise ChatParseError(
            "not_json", "Ce fichier n’est pas du JSON valable.", "This file is not valid JSON."
        ) from None
