"""E-mails (.eml) and mailboxes (.mbox) as chat records."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recours.domain.chat.mail import parse_email
from recours.errors import ChatParseError
from recours.services.chat import parse

GOLDEN = Path(__file__).parent / "golden" / "email"


def test_one_message_with_its_attachment() -> None:
    result = parse((GOLDEN / "menace.eml").read_bytes(), "auto", "Europe/Paris", None)
    assert result.format == "email"
    (entry,) = result.entries
    assert entry.timestamp.isoformat() == "2026-07-14T23:30:00+02:00"
    assert entry.author == "Kev <kev@example.org>"
    assert entry.text == "[Tu vas le regretter]\nJe sais où tu habites."
    assert entry.attachments == ("photo.jpg",)


def test_a_mailbox_in_time_order_html_kept_as_text() -> None:
    result = parse((GOLDEN / "boite.mbox").read_bytes(), "auto", "Europe/Paris", None)
    assert [e.author for e in result.entries] == ["Max <max@example.org>", "Kev <kev@example.org>"]
    assert "<b>nulle</b>" in result.entries[1].text  # the HTML source, never rendered
    assert result.entries[1].pointer == "/mbox/0"


def test_not_an_email() -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_email(b"bonjour")
    assert caught.value.code == "not_email"
    with pytest.raises(ChatParseError) as caught:
        parse_email(b"From: a\nDate: demain\n\nx")
    assert caught.value.code == "bad_record"


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=600)
    | st.text(max_size=300).map(lambda t: ("From: a\nDate: Tue, 14 Jul 2026 21:30:00 +0000\n\n" + t).encode())
)
def test_any_input_parses_or_raises_the_parse_error(data: bytes) -> None:
    with contextlib.suppress(ChatParseError):
        parse_email(data)


def test_a_message_the_mime_parser_raises_on_is_kept_as_written() -> None:
    """Python's parser raises IndexError on a Content-Type parameter cut short (found by
    fuzzing): the message is read without MIME, its headers and body as written."""
    raw = (
        b"From: Kev <kev@example.org>\r\nDate: Tue, 14 Jul 2026 21:30:00 +0200\r\nSubject: toi\r\n"
        b"Content-Type: multipart/mixed; boun\x01\x00\xa0Z*\r\n\r\n--XYZ\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nJe sais o\xc3\xb9 tu habites.\r\n--XYZ--\r\n"
    )
    (entry,) = parse_email(raw, tz="Europe/Paris").entries
    assert entry.author == "Kev <kev@example.org>"
    assert entry.timestamp.isoformat() == "2026-07-14T21:30:00+02:00"
    assert entry.text.startswith("[toi]\n--XYZ") and "tu habites." in entry.text
