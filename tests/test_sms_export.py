"""Android "SMS Backup & Restore" XML: SMS and MMS, hostile XML refused before parsing."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recours.domain.chat.sms import parse_sms
from recours.errors import ChatParseError
from recours.services.chat import parse

BACKUP = Path(__file__).parent / "golden" / "sms" / "backup.xml"


def test_a_backup_in_time_order_with_who_wrote_what() -> None:
    result = parse(BACKUP.read_bytes(), "auto", "Europe/Paris", None, me="Léa")
    assert result.format == "sms"
    rows = [(e.timestamp.isoformat(), e.author, e.text, e.attachments) for e in result.entries]
    assert rows == [
        ("2026-07-14T09:05:12+02:00", "Kev", "Tu vas voir ce soir", ()),
        ("2026-07-14T09:06:00+02:00", "Léa", "Arrête de m'écrire.", ()),
        ("2026-07-14T09:07:00+02:00", "Kev", "regarde ta photo qui tourne", ("IMG_0042.jpg",)),
        ("2026-07-14T09:08:00+02:00", "0700000000", "Je sais où tu habites & où tu vas au collège", ()),
    ]
    assert result.entries[2].pointer == "/smses/*[4]"  # the MMS is the 4th element of the file


def test_sent_messages_without_a_name() -> None:
    assert parse_sms(BACKUP.read_bytes()).entries[1].author == "(moi)"


@pytest.mark.parametrize(
    "hostile",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><smses>&lol2;</smses>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><smses><sms body="&xxe;"/></smses>',
        b"<smses><!doctype smses></smses>",
    ],
)
def test_entities_and_doctypes_are_refused_before_parsing(hostile: bytes) -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_sms(hostile)
    assert caught.value.code == "xml_entities"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<smses><sms", "not_xml"),
        (b"<html></html>", "not_sms_backup"),
        (b'<smses><sms date="demain"/></smses>', "bad_record"),
    ],
)
def test_bad_files(data: bytes, code: str) -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_sms(data)
    assert caught.value.code == code


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=500)
    | st.text(max_size=300).map(lambda t: f"<smses><sms date='1' body='{t}'/></smses>".encode())
)
def test_any_input_parses_or_raises_the_parse_error(data: bytes) -> None:
    with contextlib.suppress(ChatParseError):
        parse_sms(data)
