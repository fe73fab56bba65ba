"""Telegram Desktop JSON exports: one chat or all chats, entities flattened, service events typed."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from recours.domain.chat.telegram import flatten, parse_telegram
from recours.errors import ChatParseError
from recours.services.chat import parse
from tests.chat_strategies import json_documents

GOLDEN = Path(__file__).parent / "golden" / "telegram"


@pytest.mark.parametrize("case", ["group", "full-export-old-dates"])
def test_golden(case: str) -> None:
    expected = json.loads((GOLDEN / f"{case}.expected.json").read_text("utf-8"))
    result = parse((GOLDEN / f"{case}.json").read_bytes(), "auto", "Europe/Paris", None)
    assert result.format == "telegram"
    assert [e.as_json() for e in result.entries] == expected["entries"]


def test_the_exact_instant_wins_over_the_local_date() -> None:
    data = json.dumps(
        {
            "messages": [
                {
                    "type": "message",
                    "date": "2026-07-14T09:05:12",
                    "date_unixtime": "1784012712",
                    "from": "A",
                    "text": "x",
                }
            ]
        }
    ).encode()
    assert (
        parse_telegram(data, tz="Asia/Tokyo").entries[0].timestamp.isoformat() == "2026-07-14T16:05:12+09:00"
    )


def test_replies_link_within_their_chat_only() -> None:
    def message(n: int, **more: object) -> dict[str, object]:
        return {
            "id": n,
            "type": "message",
            "date_unixtime": str(1784012400 + n),
            "from": "A",
            "text": "x",
            **more,
        }

    chats = [
        {
            "type": "private_supergroup",
            "id": 500,
            "messages": [
                message(1),
                message(2, reply_to_message_id=1),
                message(3, reply_to_message_id=1, reply_to_peer_id="channel500"),  # its own chat, named
                message(4, reply_to_message_id=9, reply_to_peer_id="channel777"),  # another chat
                message(5, reply_to_message_id=1, reply_to_peer_id="user500"),  # a user with the same number
            ],
        },
        {"type": "personal_chat", "id": 42, "messages": [message(1), message(2, reply_to_message_id=1)]},
    ]
    entries = parse_telegram(json.dumps({"chats": {"list": chats}}).encode()).entries
    # Each chat numbers its own messages: in a full export, ids carry the chat's place in the list.
    assert [(e.source_id, e.reply_to) for e in entries] == [
        ("0:1", None),
        ("0:2", "0:1"),
        ("0:3", "0:1"),
        ("0:4", None),
        ("0:5", None),
        ("1:1", None),
        ("1:2", "1:1"),
    ]
    one_chat = parse_telegram(json.dumps(chats[1]).encode()).entries
    assert [(e.source_id, e.reply_to) for e in one_chat] == [("1", None), ("2", "1")]


def test_entities_are_flattened_to_the_displayed_text() -> None:
    assert flatten(["a ", {"type": "bold", "text": "b"}, {"type": "x"}, 3]) == "a b"
    assert flatten(None) == ""


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{", "not_json"),
        (b'{"a": 1}', "not_telegram"),
        (b'{"messages": [{"type": "message"}]}', "bad_record"),
    ],
)
def test_bad_files(data: bytes, code: str) -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_telegram(data)
    assert caught.value.code == code


@settings(max_examples=300, deadline=None)
@given(
    json_documents(
        [
            "messages",
            "chats",
            "list",
            "type",
            "date",
            "date_unixtime",
            "from",
            "text",
            "action",
            "members",
            "photo",
            "id",
            "reply_to_message_id",
            "reply_to_peer_id",
        ]
    )
)
def test_any_json_parses_or_raises_the_parse_error(document: object) -> None:
    with contextlib.suppress(ChatParseError):
        parse_telegram(json.dumps(document).encode())
