"""Hostile or broken files given to the import: a clear parse error or a result, never a crash,
and nothing stored before the whole file has been read (see test_chat_zip.py for archives and
test_sms_export.py for XML entities)."""

from __future__ import annotations

import time

import pytest

from recours.errors import ChatParseError
from recours.services.chat import FORMATS, parse

BIG = 30 * 1024 * 1024


def test_a_gigantic_single_line_is_not_an_export() -> None:
    started = time.perf_counter()
    with pytest.raises(ChatParseError) as raised:
        parse(b"A" * BIG, "auto", "Europe/Paris", None)
    assert raised.value.code == "not_whatsapp"
    assert "WhatsApp" in raised.value.message("fr")
    assert time.perf_counter() - started < 10


def test_a_gigantic_message_is_kept_whole() -> None:
    text = "é" * (BIG // 2)
    data = f"14/07/2026 09:05 - Léa: {text}\n15/07/2026 10:00 - Hugo: ok\n".encode()
    started = time.perf_counter()
    entries = parse(data, "auto", "Europe/Paris", None).entries
    assert [len(e.text) for e in entries] == [len(text), 2]
    assert entries[0].text == text
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "auto"])
def test_invalid_utf8_or_garbage_in_any_format_is_a_parse_error(fmt: str) -> None:
    garbage = b"14/07/2026 09:05 - L\xe9a: \xff\xfe bonjour\n" + bytes(range(256)) * 64
    with pytest.raises(ChatParseError) as raised:
        parse(garbage, fmt, "Europe/Paris", None)
    message = raised.value.message("fr")
    assert message and "Traceback" not in message
    assert raised.value.message("en") != message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 4096,
        b"{" * 100_000,  # deep nesting
        b"[" * 100_000 + b"]" * 100_000,
        b'{"messages": ' + b"[" * 50_000,
        b"<?xml version='1.0'?><smses count='1'>" + b"<sms " * 10_000,
        b"From a@b Sat Jan  1 00:00:00 2026\n" * 20_000,  # an mbox of empty messages
        b'{"messages": []}',
    ],
)
def test_broken_files_give_the_parse_error(data: bytes) -> None:
    with pytest.raises(ChatParseError):
        parse(data, "auto", "Europe/Paris", None)
