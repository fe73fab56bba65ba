"""Discord: DiscordChatExporter JSON, and the data package's messages.json, messages.csv, whole."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recours.domain.chat.discord import (
    DiscordChannel,
    looks_like_discord,
    package_channels,
    parse_discord,
    parse_discord_package,
)
from recours.errors import ChatParseError
from recours.services.chat import parse
from tests.chat_strategies import json_documents

GOLDEN = Path(__file__).parent / "golden"
DISCORD = GOLDEN / "discord"


@pytest.mark.parametrize(
    ("case", "expected", "me"),
    [
        ("dce-3eB.json", "dce-3eB", "Léa"),  # `me` does not matter: the exporter names every author
        ("package-messages.json", "package-messages", "Léa"),
        ("package-messages.csv", "package-messages-csv", None),
    ],
)
def test_golden(case: str, expected: str, me: str | None) -> None:
    wanted = json.loads((DISCORD / f"{expected}.expected.json").read_text("utf-8"))
    result = parse((DISCORD / case).read_bytes(), "auto", "Europe/Paris", None, me)
    assert result.format == "discord"
    assert [e.as_json() for e in result.entries] == wanted["entries"]


def test_the_account_name_is_the_author_not_the_nickname() -> None:
    entries = parse_discord((DISCORD / "dce-3eB.json").read_bytes()).entries
    assert {e.author for e in entries if e.kind == "message"} == {"hugo_b93", "lea.mrt", "ines.dlc"}


def test_system_kinds_and_mentions() -> None:
    def message(kind: str) -> dict[str, object]:
        return {
            "type": kind,
            "timestamp": "2026-01-05T12:00:00+01:00",
            "content": "Added a recipient.",
            "author": {"name": "lea.mrt"},
            "mentions": [{"name": "ines.dlc"}],
        }

    kinds = ["RecipientAdd", "RecipientRemove", "Call", "ChannelIconChange", "ThreadCreated"]
    document = {"guild": {}, "channel": {}, "messages": [message(kind) for kind in kinds]}
    entries = parse_discord(json.dumps(document).encode()).entries
    assert [e.system for e in entries] == [
        "member_added",
        "member_removed",
        "call",
        "group_icon_changed",
        "other",
    ]
    assert entries[0].text == "lea.mrt Added a recipient. ines.dlc" and entries[0].author is None


def test_only_a_reply_links_to_the_message_it_answers() -> None:
    def message(n: int, kind: str, reference: dict[str, str] | None = None) -> dict[str, object]:
        return {
            "id": f"12990000000000000{n:02d}",
            "type": kind,
            "timestamp": f"2026-01-05T12:{n:02d}:00+01:00",
            "content": "x",
            "author": {"name": "lea.mrt"},
            **({"reference": reference} if reference else {}),
        }

    first = "1299000000000000001"
    messages = [
        message(1, "Default"),
        message(2, "Reply", {"type": "Default", "messageId": first, "channelId": "5"}),
        message(3, "Reply", {"messageId": first}),  # older exporters write no reference type
        message(4, "Default", {"type": "Forward", "messageId": "1111", "channelId": "6"}),
        message(5, "ChannelPinnedMessage", {"type": "Default", "messageId": first}),
        message(6, "Reply", {"type": "Default", "messageId": None}),  # the message was deleted
    ]
    entries = parse_discord(json.dumps({"channel": {}, "messages": messages}).encode()).entries
    assert [(e.source_id, e.reply_to) for e in entries] == [
        (first, None),
        ("1299000000000000002", first),
        ("1299000000000000003", first),
        ("1299000000000000004", None),
        ("1299000000000000005", None),
        ("1299000000000000006", None),
    ]


def test_a_time_without_offset_is_read_in_the_zone() -> None:
    document = {
        "channel": {},
        "messages": [{"type": "Default", "timestamp": "2026-07-14T09:05:12", "author": {"name": "a"}}],
    }
    entry = parse_discord(json.dumps(document).encode(), tz="Asia/Tokyo").entries[0]
    assert entry.timestamp.isoformat() == "2026-07-14T09:05:12+09:00"


def _package() -> dict[str, bytes]:
    dm = {
        "id": "1187000000000000077",
        "type": "DM",
        "recipients": ["1100000000000000001", "1100000000000000002"],
    }
    server = {
        "id": "1064000000000000050",
        "type": "GUILD_TEXT",
        "name": "général",
        "guild": {"id": "1", "name": "4e A"},
    }
    return {
        "README.txt": b"Welcome to your Discord Data Package!",
        "messages/index.json": b'{"1187000000000000077": "Direct Message with hugo_b93#0"}',
        "messages/c1187000000000000077/channel.json": json.dumps(dm).encode(),
        "messages/c1187000000000000077/messages.json": (DISCORD / "package-messages.json").read_bytes(),
        "messages/c1064000000000000050/channel.json": json.dumps(server).encode(),
        "messages/c1064000000000000050/messages.csv": (DISCORD / "package-messages.csv").read_bytes(),
    }


def test_a_whole_package() -> None:
    result = parse_discord_package(_package(), me="Léa")
    assert result.format == "discord"
    assert [e.pointer for e in result.entries] == [
        "messages/c1064000000000000050/messages.csv#row=2",
        "messages/c1064000000000000050/messages.csv#row=3",
        "messages/c1064000000000000050/messages.csv#row=4",
        "messages/c1064000000000000050/messages.csv#row=5",
        "messages/c1187000000000000077/messages.json#/0",
        "messages/c1187000000000000077/messages.json#/1",
        "messages/c1187000000000000077/messages.json#/2",
    ]
    assert {e.author for e in result.entries} == {"Léa"}
    csv_alone = parse_discord((DISCORD / "package-messages.csv").read_bytes()).entries
    assert [e.text for e in result.entries[:4]] == [e.text for e in csv_alone]


def test_package_channels_name_the_folders() -> None:
    assert package_channels(_package()) == {
        "messages/c1187000000000000077": DiscordChannel("1187000000000000077", "DM", None, None),
        "messages/c1064000000000000050": DiscordChannel(
            "1064000000000000050", "GUILD_TEXT", "général", "4e A"
        ),
    }


def test_the_json_file_wins_when_a_folder_has_both() -> None:
    members = _package()
    members["messages/c1187000000000000077/messages.csv"] = b"ID,Timestamp,Contents,Attachments\r\n"
    result = parse_discord_package(members)
    assert sum(1 for e in result.entries if (e.pointer or "").startswith("messages/c1187")) == 3


def test_a_package_without_messages() -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_discord_package({"account/user.json": b"{}"})
    assert caught.value.code == "not_discord"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{", "not_json"),
        (b'{"a": 1}', "not_discord"),
        (b'[{"a": 1}]', "not_discord"),
        (b"bonjour,tout,le,monde\r\n", "not_discord"),
        (b"ID,Timestamp,Contents,Attachments\r\n1,2023-01-14 19:22:41,\xff\xfe,\r\n", "not_utf8"),
        (b'{"channel": {}, "messages": [{"type": "Default", "timestamp": "hier"}]}', "bad_record"),
        (
            b'{"channel": {}, "messages": [{"timestamp": "2026-01-05T12:00:00Z", "author": "x"}]}',
            "bad_record",
        ),
        (b'[{"Timestamp": "2026-01-05 12:00:00", "Contents": 3}]', "bad_record"),
        (b"ID,Timestamp,Contents,Attachments\r\n1,hier,x,\r\n", "bad_record"),
        (b"ID,Timestamp,Contents,Attachments\r\n1,2023-01-14 19:22:41\r\n", "bad_record"),
    ],
)
def test_bad_files(data: bytes, code: str) -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_discord(data)
    assert caught.value.code == code


def test_bad_records_say_where() -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_discord(b"ID,Timestamp,Contents,Attachments\r\n1,2023-01-14 19:22:41,ok,\r\n2,hier,x,\r\n")
    assert "ligne 3" in caught.value.fr and "line 3" in caught.value.en
    with pytest.raises(ChatParseError) as caught:
        parse_discord(b'[{"Timestamp": "2026-01-05 12:00:00"}, {"Timestamp": 3}]')
    assert "(/1)" in caught.value.fr and "(/1)" in caught.value.en


def test_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("recours.domain.chat.discord.MAX_BYTES", 10)
    for case in ("dce-3eB.json", "package-messages.csv"):
        with pytest.raises(ChatParseError) as caught:
            parse_discord((DISCORD / case).read_bytes())
        assert caught.value.code == "too_large"


def test_no_other_golden_file_looks_like_discord() -> None:
    others = [p for p in GOLDEN.rglob("*") if p.is_file() and "expected" not in p.name]
    claimed = [p.name for p in others if looks_like_discord(p.read_bytes())]
    assert sorted(claimed) == ["dce-3eB.json", "package-messages.csv", "package-messages.json"]


@settings(max_examples=200, deadline=1000)
@given(
    json_documents(
        [
            "guild",
            "channel",
            "messages",
            "type",
            "timestamp",
            "content",
            "author",
            "name",
            "attachments",
            "url",
            "mentions",
            "id",
            "reference",
            "messageId",
            "Timestamp",
            "Contents",
            "Attachments",
            "ID",
        ]
    )
)
def test_any_json_parses_or_raises_the_parse_error(document: object) -> None:
    with contextlib.suppress(ChatParseError):
        parse_discord(json.dumps(document).encode())


_CSV_CELLS = st.text(alphabet=st.sampled_from(list('a,"\r\n 2023-01:+.é')), max_size=40)


@settings(max_examples=200, deadline=1000)
@given(st.one_of(st.binary(max_size=200), _CSV_CELLS.map(str.encode)))
def test_any_csv_parses_or_raises_the_parse_error(body: bytes) -> None:
    with contextlib.suppress(ChatParseError):
        parse_discord(b"ID,Timestamp,Contents,Attachments\r\n" + body)
