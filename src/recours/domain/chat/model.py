"""The record every chat parser produces, whatever the app the export comes from.

Texts and author names are kept exactly as written (never normalised: they are evidence);
timestamps are aware, in the export's time zone; ``lines`` (or a JSON pointer, for JSON
exports) points back into the original file, so any message can be found in it.
"""

from __future__ import annotations

import copy
import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import compress, count, repeat
from operator import methodcaller, ne
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

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


# The fields of ChatEntry, in its order: the columns of a parse (see ParsedExport.columns).
ENTRY_FIELDS: tuple[str, ...] = ChatEntry._fields
# Field name → one value per record. The columns of a parse hold ChatEntry's values, but for the
# timestamps, written as ISO 8601 text with their UTC offset (``datetime.isoformat()``).
Columns = dict[str, list[Any]]


def columns_of(entries: Sequence[ChatEntry]) -> Columns:
    """The entries as columns (``attachments`` keeps its tuples: JSON writes them as arrays)."""
    if not entries:
        return {name: [] for name in ENTRY_FIELDS}
    transposed = [list(column) for column in zip(*entries, strict=True)]
    # Consecutive messages often share a timestamp object (same header): format each once.
    formatted: dict[int, str] = {}
    transposed[0] = [
        formatted.get(id(moment)) or formatted.setdefault(id(moment), moment.isoformat())
        for moment in transposed[0]
    ]
    return dict(zip(ENTRY_FIELDS, transposed, strict=True))


def entries_of(columns: Columns, timezone: str) -> list[ChatEntry]:
    """The records of ``columns`` as entries, timestamps aware in ``timezone``: each is the wall
    time its text shows, with the fold whose UTC offset is the one written (so a time in the hour
    repeated when clocks go back, or in the hour skipped when they go forward, comes back as it
    was). ValueError if a timestamp has neither offset there."""
    zone = ZoneInfo(timezone)
    with collector_paused():  # 200,000 tuples, which hold no cycle
        written = list(map(datetime.fromisoformat, columns["timestamp"]))
        local = list(map(methodcaller("replace", tzinfo=zone), written))
        offsets = map(datetime.utcoffset, written)
        for n in compress(count(), map(ne, map(datetime.utcoffset, local), offsets)):
            local[n] = local[n].replace(fold=1)
            if local[n].utcoffset() != written[n].utcoffset():
                raise ValueError(f"{columns['timestamp'][n]} is no time of {timezone}")
        fields = [columns[name] for name in ENTRY_FIELDS[1:]]
        # tuple.__new__ is what ChatEntry._make does, without a Python call per record.
        return list(map(tuple.__new__, repeat(ChatEntry), zip(local, *fields, strict=True)))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the automatic cyclic garbage collector while records are built by the hundred
    thousand: ChatEntry is a tuple subclass, which the collector never untracks, and its
    automatic full collections would walk the growing list again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ParsedExport:
    """What a parser gives: the records of one export, as entries or as columns.

    A parser gives either (``entries=`` or ``columns=``); the other form is built from it on first
    use, then kept. Columns are what the import stores: a parser that writes them directly (the
    WhatsApp fast path) spares the import 200,000 ChatEntry objects and as many ``isoformat``
    calls. Both forms are shared, not copied: callers must not modify them.
    """

    __slots__ = ("_columns", "_entries", "date_order", "format", "timezone")

    def __init__(
        self,
        format: str,
        entries: list[ChatEntry] | None = None,
        *,
        timezone: str,
        date_order: DateOrder | None = None,
        columns: Columns | None = None,
    ) -> None:
        if (entries is None) == (columns is None):
            raise TypeError("ParsedExport takes entries or columns, one of them")
        if columns is not None and set(columns) != set(ENTRY_FIELDS):
            raise TypeError("the columns of a ParsedExport are ChatEntry's fields")
        self.format = format
        self.timezone = timezone
        self.date_order = date_order
        self._entries = entries
        self._columns = columns

    @property
    def entries(self) -> list[ChatEntry]:
        """The records as ChatEntry tuples (built from the columns on first use)."""
        if self._entries is None:
            self._entries = entries_of(self.columns(), self.timezone)
        return self._entries

    @property
    def entries_built(self) -> bool:
        """Whether the entries exist (given, or built since): the import never needs them, and
        the tests check that it does not build them."""
        return self._entries is not None

    def columns(self) -> Columns:
        """The records as columns (made from the entries on first use)."""
        if self._columns is None:
            self._columns = columns_of(self.entries)
        return self._columns

    def renamed(self, format: str) -> ParsedExport:
        """The same records under another format name (Instagram and Messenger exports share
        one parser)."""
        renamed = copy.copy(self)
        renamed.format = format
        return renamed

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedExport):
            return NotImplemented
        return (self.format, self.timezone, self.date_order, self.columns()) == (
            other.format,
            other.timezone,
            other.date_order,
            other.columns(),
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"ParsedExport(format={self.format!r}, timezone={self.timezone!r}, "
            f"date_order={self.date_order!r}, records={len(self.columns()['timestamp'])})"
        )

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
