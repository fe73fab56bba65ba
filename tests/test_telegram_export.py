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
        ]
    )
)
def test_any_json_parses_or_raises_the_parse_error(document: object) -> None:
    with contextlib.suppress(ChatParseError):
        parse_telegram(json.dumps(document).encode())
