"""Android "SMS Backup & Restore" XML exports (``sms-….xml``): SMS and MMS.

XML from outside is hostile until proven otherwise: a document type declaration or an entity
(billion laughs, external entities) is refused before anything is parsed. The file is read as a
stream (``iterparse``) and each element freed once read, so a large backup stays small in memory.
Received messages carry the contact's name (or number) as author; sent ones have no author in
the file: they are attributed to ``me`` when given, else to "(moi)".
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from zoneinfo import ZoneInfo

from recours.domain.chat.model import ChatEntry, ParsedExport, instant
from recours.errors import ChatParseError

_DECLARATIONS = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
SENT_BY_ME = "(moi)"
_SENT_TYPES = {"2", "4", "5", "6"}  # sent, outbox, failed, queued (Android Telephony.Sms types)


def looks_like_sms_backup(data: bytes) -> bool:
    return b"<smses" in data[:4096] or b"<allsms" in data[:4096]


def parse_sms(data: bytes, *, tz: str = "Europe/Paris", me: str | None = None) -> ParsedExport:
    if _DECLARATIONS.search(data):
        raise ChatParseError(
            "xml_entities",
            "Ce fichier XML contient des déclarations (DOCTYPE ou ENTITY) : il est refusé par sécurité.",
            "This XML file contains declarations (DOCTYPE or ENTITY): it is refused for safety.",
        )
    zone = ZoneInfo(tz)
    entries: list[ChatEntry] = []
    position = 0
    try:
        for _, element in ElementTree.iterparse(io.BytesIO(data), events=("end",)):  # noqa: S314
            if element.tag == "sms":
                entries.append(_sms(element, zone, me, position))
                position += 1
                element.clear()
            elif element.tag == "mms":
                entries.append(_mms(element, zone, me, position))
                position += 1
                element.clear()
    except (ElementTree.ParseError, LookupError, ValueError) as exc:
        # LookupError, ValueError: an XML declaration naming an unknown or unsupported encoding.
        raise ChatParseError("not_xml", f"XML illisible ({exc}).", f"Unreadable XML ({exc}).") from None
    if not entries and not looks_like_sms_backup(data):
        raise ChatParseError(
            "not_sms_backup",
            "Ce fichier XML n’est pas une sauvegarde de SMS.",
            "This XML file is not an SMS backup.",
        )
    entries.sort(key=instant)
    return ParsedExport(format="sms", entries=entries, timezone=tz)


def _when(element: ElementTree.Element, zone: ZoneInfo, pointer: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(element.get("date", "")) / 1000, tz=zone)
    except (ValueError, OverflowError, OSError):
        raise ChatParseError(
            "bad_record", f"Date illisible ({pointer}).", f"Unreadable date ({pointer})."
        ) from None


def _author(element: ElementTree.Element, sent: bool, me: str | None) -> str:
    if sent:
        return me or SENT_BY_ME
    name = element.get("contact_name")
    return name if name and name != "(Unknown)" else element.get("address", "")


def _sms(element: ElementTree.Element, zone: ZoneInfo, me: str | None, position: int) -> ChatEntry:
    pointer = f"/smses/*[{position + 1}]"
    sent = element.get("type", "1") in _SENT_TYPES
    return ChatEntry(
        _when(element, zone, pointer),
        _author(element, sent, me),
        "message",
        None,
        element.get("body", ""),
        (),
        False,
        False,
        0,
        0,
        pointer,
    )


def _mms(element: ElementTree.Element, zone: ZoneInfo, me: str | None, position: int) -> ChatEntry:
    pointer = f"/smses/*[{position + 1}]"
    sent = element.get("msg_box", "1") in _SENT_TYPES
    texts, attachments = [], []
    for part in element.iter("part"):
        content_type = part.get("ct", "")
        if content_type == "text/plain":
            texts.append(part.get("text", ""))
        elif content_type != "application/smil":
            attachments.append(part.get("name") or part.get("cl") or content_type)
    return ChatEntry(
        _when(element, zone, pointer),
        _author(element, sent, me),
        "message",
        None,
        "\n".join(texts),
        tuple(attachments),
        False,
        False,
        0,
        0,
        pointer,
    )
