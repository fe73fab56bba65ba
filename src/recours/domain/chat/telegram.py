"""Telegram Desktop JSON exports (``result.json``): one chat, or a full export of all chats.

``text`` is either a string or a list of plain strings and entity objects (links, bold,
mentions…): it is flattened to the text as displayed. ``date_unixtime`` (newer exports) is the
exact instant; older exports only have ``date``, a local time read in the given time zone.
Service messages (members added or removed, group renamed, calls…) become typed system events.

Ids and replies, as Telegram Desktop writes them (telegramdesktop/tdesktop
``Telegram/SourceFiles/export/output/export_output_json.cpp``, ``SerializeMessage``; read as
public reference): every message has its ``id`` (a number); a reply has ``reply_to_message_id``,
plus ``reply_to_peer_id`` ("user…", "chat…", "channel…") when the message replied to is in another
chat (``export/data/export_data_types.cpp``, ``ParseMessage``; some versions write it for the
chat itself too, which is then recognised): a reply to another chat is not linked, since that
message is not in this one. The history of a group migrated to a supergroup has its ids and the
ids it replies to shifted together (``AdjustMigrateMessageIds``), so they still match within the
chat. Telegram numbers messages per chat, so two chats of a full
export can share ids: there each id is prefixed with the chat's position in the list (``3:10``,
as in the pointer ``/chats/list/3/…``); a one-chat export keeps the ids as written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from recours.domain.chat.model import ChatEntry, ParsedExport, SystemKind, id_text, load_json
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
# A chat's ``type`` → the kind of peer it is, as ``reply_to_peer_id`` names it.
_PEER_KINDS: dict[str, tuple[str, ...]] = {
    "saved_messages": ("user",),
    "replies": ("user",),
    "personal_chat": ("user",),
    "bot_chat": ("user",),
    "private_group": ("chat",),
    "private_supergroup": ("channel",),
    "public_supergroup": ("channel",),
    "private_channel": ("channel",),
    "public_channel": ("channel",),
}


def looks_like_telegram(data: bytes) -> bool:
    head = data[:65536]
    return data.lstrip()[:1] == b"{" and (
        b'"date_unixtime"' in head or b'"from_id"' in head or b'"chats"' in head
    )


def parse_telegram(data: bytes, *, tz: str = "Europe/Paris") -> ParsedExport:
    document = load_json(data, MAX_BYTES)
    zone = ZoneInfo(tz)
    chats: list[tuple[str, str, Any]] = []  # pointer prefix, id prefix, chat
    if isinstance(document, dict) and isinstance(document.get("messages"), list):
        chats.append(("", "", document))
    elif isinstance(document, dict) and isinstance(document.get("chats"), dict):
        listed = document["chats"].get("list")
        if isinstance(listed, list):
            chats += [
                (f"/chats/list/{n}", f"{n}:", chat) for n, chat in enumerate(listed) if isinstance(chat, dict)
            ]
    if not chats:
        raise ChatParseError(
            "not_telegram",
            "Ce fichier JSON n’est pas un export Telegram.",
            "This JSON file is not a Telegram export.",
        )
    entries = []
    for prefix, scope, chat in chats:
        own_peers = _own_peers(chat)
        for index, message in enumerate(chat.get("messages") or []):
            entries.append(_entry(message, zone, f"{prefix}/messages/{index}", own_peers, scope))
    return ParsedExport(format="telegram", entries=entries, timezone=tz)


def _ids(message: dict[str, Any], own_peers: frozenset[str], scope: str) -> tuple[str | None, str | None]:
    """The message's id and the id of the message it replies to (``scope`` before each)."""
    own = id_text(message.get("id"))
    replied = id_text(message.get("reply_to_message_id"))
    if replied is not None and not _same_chat(message.get("reply_to_peer_id"), own_peers):
        replied = None
    return (
        scope + own if own is not None else None,
        scope + replied if replied is not None else None,
    )


def _own_peers(chat: dict[str, Any]) -> frozenset[str]:
    """How ``reply_to_peer_id`` would name this chat: its kind ("user", "chat", "channel", from its
    ``type``: ``writeDialogStart`` and ``TypeString``) then its bare ``id``."""
    chat_id = id_text(chat.get("id"))
    if chat_id is None:
        return frozenset()
    kinds = _PEER_KINDS.get(str(chat.get("type")), ("user", "chat", "channel"))
    return frozenset(kind + chat_id for kind in kinds)


def _same_chat(peer: Any, own_peers: frozenset[str]) -> bool:
    """Whether a reply is to a message of this chat: no ``reply_to_peer_id``, or this chat's own
    (``ParseMessage`` clears it for the chat itself in one branch but not in the other)."""
    return peer is None or (isinstance(peer, str) and peer in own_peers)


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


def _entry(message: Any, zone: ZoneInfo, pointer: str, own_peers: frozenset[str], scope: str) -> ChatEntry:
    if not isinstance(message, dict):
        raise ChatParseError(
            "bad_record", f"Message illisible ({pointer}).", f"Unreadable message ({pointer})."
        )
    timestamp = _when(message, zone, pointer)
    source_id, reply_to = _ids(message, own_peers, scope)
    attachments = tuple(str(message[key]) for key in ("photo", "file") if isinstance(message.get(key), str))
    text = flatten(message.get("text"))
    if message.get("type") == "service":
        action = str(message.get("action", ""))
        actor = str(message.get("actor", "") or "")
        listed = message.get("members")
        members = ", ".join(str(m) for m in (listed if isinstance(listed, list) else []) if m)
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
            source_id,  # a service message replies to nothing (a pin names its message otherwise)
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
        source_id,
        reply_to,
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
