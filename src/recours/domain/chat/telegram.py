"""Telegram Desktop JSON exports (``result.json``): one chat, or a full export of all chats.

``text`` is either a string or a list of plain strings and entity objects (links, bold,
mentions…): it is flattened to the text as displayed. ``date_unixtime`` (newer exports) is the
exact instant; older exports only have ``date``, a local time read in the given time zone.
Service messages (members added or removed, group renamed, calls…) become typed system events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from recours.domain.chat.model import ChatEntry, ParsedExport, SystemKind, load_json
from recours.errors import ChatParseError

MAX_BYTES = 512 * 1024 * 1024
_ACTIONS: dict[str, SystemKind] = {
    "invite_members": "member_added",
    "remove_members": "member_removed",
    "join_group_by_link": "member_joined",
    "create_group": "group_created",
    "create_channel": "group_created",
    "migrate_from_group": "group_created",
    "edit_group_title": "group_renamed",
    "edit_group_photo": "group_icon_changed",
    "delete_group_photo": "group_icon_changed",
    "phone_call": "call",
    "group_call": "call",
    "set_messages_ttl": "disappearing_messages",
}


def looks_like_telegram(data: bytes) -> bool:
    head = data[:65536]
    return data.lstrip()[:1] == b"{" and (
        b'"date_unixtime"' in head or b'"from_id"' in head or b'"chats"' in head
    )


def parse_telegram(data: bytes, *, tz: str = "Europe/Paris") -> ParsedExport:
    document = load_json(data, MAX_BYTES)
    zone = ZoneInfo(tz)
    chats: list[tuple[str, Any]] = []
    if isinstance(document, dict) and isinstance(document.get("messages"), list):
        chats.append(("", document))
    elif isinstance(document, dict) and isinstance(document.get("chats"), dict):
        listed = document["chats"].get("list")
        if isinstance(listed, list):
            chats += [(f"/chats/list/{n}", chat) for n, chat in enumerate(listed) if isinstance(chat, dict)]
    if not chats:
        raise ChatParseError(
            "not_telegram",
            "Ce fichier JSON n’est pas un export Telegram.",
            "This JSON file is not a Telegram export.",
        )
    entries = []
    for prefix, chat in chats:
        for index, message in enumerate(chat.get("messages") or []):
            entries.append(_entry(message, zone, f"{prefix}/messages/{index}"))
    return ParsedExport(format="telegram", entries=entries, timezone=tz)


def flatten(text: Any) -> str:
    """The displayed text of Telegram's ``text`` field (a string, or strings and entities)."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", "")) if isinstance(part, dict) else ""
            for part in text
        )
    return ""


def _entry(message: Any, zone: ZoneInfo, pointer: str) -> ChatEntry:
    if not isinstance(message, dict):
        raise ChatParseError(
            "bad_record", f"Message illisible ({pointer}).", f"Unreadable message ({pointer})."
        )
    timestamp = _when(message, zone, pointer)
    attachments = tuple(str(message[key]) for key in ("photo", "file") if isinstance(message.get(key), str))
    text = flatten(message.get("text"))
    if message.get("type") == "service":
        action = str(message.get("action", ""))
        actor = str(message.get("actor", "") or "")
        members = ", ".join(str(m) for m in message.get("members") or [] if m)
        described = " ".join(part for part in (actor, action, members, text) if part)
        return ChatEntry(
            timestamp,
            None,
            "system",
            _ACTIONS.get(action, "other"),
            described,
            attachments,
            False,
            False,
            0,
            0,
            pointer,
        )
    author = message.get("from")
    return ChatEntry(
        timestamp,
        str(author) if author is not None else None,
        "message",
        None,
        text,
        attachments,
        False,
        False,
        0,
        0,
        pointer,
    )


def _when(message: dict[str, Any], zone: ZoneInfo, pointer: str) -> datetime:
    try:
        if "date_unixtime" in message:
            return datetime.fromtimestamp(int(message["date_unixtime"]), tz=zone)
        return datetime.fromisoformat(str(message["date"])).replace(tzinfo=zone)
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise ChatParseError(
            "bad_record", f"Date illisible ({pointer}).", f"Unreadable date ({pointer})."
        ) from None
