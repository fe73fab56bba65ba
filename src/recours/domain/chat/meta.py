"""Instagram and Facebook Messenger "Download your information" JSON (``message_1.json``).

Meta writes every string as UTF-8 bytes escaped one by one (``"\\u00c3\\u00a9"`` for "é"): the
text is repaired by reading those code points back as bytes (latin-1) and decoding them as UTF-8;
a string that is not such mojibake is left as it is. Messages come newest first in the file;
entries keep the file's order reversed to chronological, each with its JSON pointer.
Reactions, shares, unsent messages and calls are kept in the text as markers, never dropped;
media files (photos, videos, audio, files, GIFs, a sticker) are the entry's attachments.
Meta's messages carry no id and no link to a message they reply to (``sender_name``,
``timestamp_ms``, ``content``, media lists, ``share``, ``reactions``, ``is_unsent``,
``call_duration``…): ``source_id`` and ``reply_to`` stay None.
Members added to or leaving a group (``"type": "Subscribe"`` / ``"Unsubscribe"`` with ``users``,
in the exports that write a ``type``) are system events, their actor and members in the text.
Which app wrote the file is read from where it keeps its media (``your_instagram_activity/``,
``your_facebook_activity/``…); only without media does ``is_geoblocked_for_viewer`` decide for
Instagram, a key that recent Facebook Messenger exports write too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from recours.domain.chat.model import ChatEntry, ParsedExport, SystemKind, load_json
from recours.errors import ChatParseError

# Bigger than any real thread file (Meta splits threads into message_N.json of ~10,000 messages).
MAX_BYTES = 256 * 1024 * 1024
# Top folders of the media paths in Meta's recent downloads (older ones all start "messages/").
INSTAGRAM_MEDIA = ("your_instagram_activity/",)
FACEBOOK_MEDIA = ("your_facebook_activity/", "your_activity_across_facebook/")


def looks_like_meta(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return head.startswith(b"{") and b'"participants"' in data[:65536] and b'"messages"' in data


def repair(text: str) -> str:
    """Undo Meta's mojibake: code points 0–255 that are really UTF-8 bytes."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def parse_meta(data: bytes, *, tz: str = "Europe/Paris") -> ParsedExport:
    document = load_json(data, MAX_BYTES)
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        raise ChatParseError(
            "not_meta",
            "Ce fichier JSON n’est pas un export de messages Instagram ou Messenger.",
            "This JSON file is not an Instagram or Messenger messages export.",
        )
    zone = ZoneInfo(tz)
    entries = []
    instagram = False
    messages = document["messages"]
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if not isinstance(message, dict) or not isinstance(message.get("timestamp_ms"), int):
            raise ChatParseError(
                "bad_record", f"Message n° {index} illisible.", f"Message #{index} unreadable."
            )
        instagram = instagram or "is_geoblocked_for_viewer" in message
        entries.append(_entry(message, zone, f"/messages/{index}"))
    app = _app_of_media(entries) or ("instagram" if instagram else "messenger")
    return ParsedExport(format=app, entries=entries, timezone=tz)


def _app_of_media(entries: list[ChatEntry]) -> str | None:
    for entry in entries:
        for uri in entry.attachments:
            if uri.startswith(INSTAGRAM_MEDIA):
                return "instagram"
            if uri.startswith(FACEBOOK_MEDIA):
                return "messenger"
    return None


def _entry(message: dict[str, Any], zone: ZoneInfo, pointer: str) -> ChatEntry:
    try:
        timestamp = datetime.fromtimestamp(message["timestamp_ms"] / 1000, tz=zone)
    except (OverflowError, OSError, ValueError):
        raise ChatParseError(
            "bad_record", f"Date illisible ({pointer}).", f"Unreadable date ({pointer})."
        ) from None
    author = repair(str(message.get("sender_name", "")))
    parts = []
    content = message.get("content")
    if isinstance(content, str):
        parts.append(repair(content))
    share = message.get("share")
    if isinstance(share, dict):
        link = share.get("link") or share.get("share_text") or ""
        parts.append(f"[partage] {repair(str(link))}".strip())
    for reaction in _listed(message.get("reactions")):
        if isinstance(reaction, dict):
            parts.append(
                f"[réaction {repair(str(reaction.get('reaction', '')))} de {repair(str(reaction.get('actor', '')))}]"
            )
    attachments = tuple(
        str(item["uri"])
        for key in ("photos", "videos", "audio_files", "files", "gifs")
        for item in _listed(message.get(key))
        if isinstance(item, dict) and "uri" in item
    )
    sticker = message.get("sticker")  # one object, not a list: a message that is only a sticker
    if isinstance(sticker, dict) and "uri" in sticker:
        attachments += (str(sticker["uri"]),)
    unsent = bool(message.get("is_unsent"))
    if message.get("type") == "Call" or "call_duration" in message:
        parts.append(f"[appel, {message.get('call_duration', 0)} s]")
    system = _membership(message, author, parts)
    return ChatEntry(
        timestamp,
        None if system else author or None,
        "system" if system else "message",
        system,
        "\n".join(parts),
        attachments,
        False,
        unsent,
        0,
        0,
        pointer,
    )


def _membership(message: dict[str, Any], author: str, parts: list[str]) -> SystemKind | None:
    """A member added or leaving (``Subscribe`` / ``Unsubscribe``): its marker, actor first, added
    to ``parts``. Someone leaving is the sender and the only one in ``users``."""
    kind = message.get("type")
    if kind not in ("Subscribe", "Unsubscribe"):
        return None
    users = message.get("users")
    names = [
        repair(str(user.get("name", "")))
        for user in (users if isinstance(users, list) else [])
        if isinstance(user, dict)
    ]
    if kind == "Subscribe":
        parts.append(f"{author} [ajout au groupe : {', '.join(names)}]".strip())
        return "member_added"
    if names == [author]:
        parts.append(f"{author} [départ du groupe]".strip())
        return "member_left"
    parts.append(f"{author} [retrait du groupe : {', '.join(names)}]".strip())
    return "member_removed"


def _listed(value: object) -> list[object]:
    """A list field of the export, or nothing when the file has something else there (a number
    where Meta writes a list: found by fuzzing, tests/fuzz/crashes)."""
    return value if isinstance(value, list) else []
