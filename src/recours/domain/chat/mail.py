"""E-mails: one message (``.eml``) or a mailbox (``.mbox``), with the standard library's parser.

The text kept is the plain-text body when there is one, else the HTML source as it is (never
rendered: it is shown as text). Attachments are listed by file name; the original file, kept in
the vault, holds their content.
"""

from __future__ import annotations

import re
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from recours.domain.chat.model import ChatEntry, ParsedExport, instant
from recours.errors import ChatParseError

_MBOX_SEPARATOR = re.compile(rb"^From [^\n]*\n", re.MULTILINE)
_HEADER_START = re.compile(
    rb"^(?:Return-Path|Received|From|To|Date|Subject|Message-ID|MIME-Version|Delivered-To|X-[\w-]+):",
    re.IGNORECASE,
)


def looks_like_email(data: bytes) -> bool:
    head = data[:2048].lstrip()
    return head.startswith(b"From ") or bool(_HEADER_START.match(head))


def parse_email(data: bytes, *, tz: str = "Europe/Paris") -> ParsedExport:
    if not looks_like_email(data):
        raise ChatParseError(
            "not_email",
            "Ce fichier ne ressemble pas à un courriel (.eml) ni à une boîte (.mbox).",
            "This file does not look like an e-mail (.eml) or a mailbox (.mbox).",
        )
    zone = ZoneInfo(tz)
    if data.lstrip().startswith(b"From "):
        chunks = [c for c in _MBOX_SEPARATOR.split(data.lstrip()) if c.strip()]
        entries = [_entry(chunk, zone, f"/mbox/{n}") for n, chunk in enumerate(chunks)]
    else:
        entries = [_entry(data, zone, "/message")]
    entries.sort(key=instant)
    return ParsedExport(format="email", entries=entries, timezone=tz)


def _entry(raw: bytes, zone: ZoneInfo, pointer: str) -> ChatEntry:
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except _PARSER_ERRORS:
        # The parser itself may raise on a malformed MIME parameter (a Content-Type boundary cut
        # short raises IndexError; found by fuzzing): the message is then read without MIME,
        # its headers and its body as written.
        return _entry_as_written(raw, zone, pointer)
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default builds EmailMessage
    return _entry_of(message, _body(message), _attachment_names(message), zone, pointer)


def _entry_as_written(raw: bytes, zone: ZoneInfo, pointer: str) -> ChatEntry:
    """The headers as the plainest parser reads them, the body as the bytes after the first
    empty line (asking the parser for it reads the Content-Type again, and may raise again)."""
    message = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    blank = _BLANK_LINE.search(raw)
    body = raw[blank.end() :].decode("utf-8", "replace") if blank else ""
    return _entry_of(message, body, (), zone, pointer)


_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


def _entry_of(
    message: Message, text: str, attachments: tuple[str, ...], zone: ZoneInfo, pointer: str
) -> ChatEntry:
    timestamp = _date(message, zone, pointer)
    author = _header(message, "From") or None
    subject = _header(message, "Subject")
    if subject:
        text = f"[{subject}]\n{text}" if text else f"[{subject}]"
    return ChatEntry(timestamp, author, "message", None, text, attachments, False, False, 0, 0, pointer)


def _date(message: Message, zone: ZoneInfo, pointer: str) -> datetime:
    try:
        moment = parsedate_to_datetime(_header(message, "Date"))
    except _PARSER_ERRORS:
        raise ChatParseError(
            "bad_record", f"Date du courriel illisible ({pointer}).", f"Unreadable e-mail date ({pointer})."
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(zone)


# What Python's e-mail parser may raise on a malformed message, besides recording a defect (all
# found by fuzzing, tests/fuzz/crashes): ``From: Kev.<kev@ezample.org>`` raises AttributeError,
# a Content-Type parameter cut short IndexError, a charset parameter split in odd pieces
# TypeError, a Date in the year 10**20 OverflowError, parentheses nested a few hundred deep
# RecursionError. The header, or the message, is then kept as written.
_PARSER_ERRORS = (AttributeError, IndexError, TypeError, ValueError, LookupError, OverflowError, RecursionError)


def _header(message: Message, name: str) -> str:
    try:
        return str(message.get(name, ""))
    except _PARSER_ERRORS:
        raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), "")
        return " ".join(str(raw).split())


def _attachment_names(message: EmailMessage) -> tuple[str, ...]:
    try:
        return tuple(str(part.get_filename()) for part in message.iter_attachments() if part.get_filename())
    except _PARSER_ERRORS:
        return ()


def _body(message: EmailMessage) -> str:
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if body is None:
            return ""
        content = body.get_content()
    except _PARSER_ERRORS:  # an unknown charset, broken MIME
        return ""
    return content if isinstance(content, str) else ""
