"""Snapchat "My Data" chat_history.json: both shapes, UTC to local time, media, status records."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from recours.domain.chat.snapchat import looks_like_snapchat, parse_snapchat
from recours.errors import ChatParseError
from recours.services.chat import parse
from tests.chat_strategies import json_documents

GOLDEN = Path(__file__).parent / "golden"
SNAPCHAT = GOLDEN / "snapchat"


@pytest.mark.parametrize(("case", "me"), [("chat_history", None), ("chat_history-2021", "Léa")])
def test_golden(case: str, me: str | None) -> None:
    expected = json.loads((SNAPCHAT / f"{case}.expected.json").read_text("utf-8"))
    result = parse((SNAPCHAT / f"{case}.json").read_bytes(), "auto", "Europe/Paris", None, me)
    assert result.format == "snapchat"
    assert [e.as_json() for e in result.entries] == expected["entries"]


def test_explicit_format_and_other_time_zone() -> None:
    data = (SNAPCHAT / "chat_history.json").read_bytes()
    result = parse(data, "snapchat", "America/Montreal", None)
    assert result.entries[0].timestamp.isoformat() == "2026-03-28T14:02:44-04:00"


def test_an_older_sent_record_without_me_has_no_author() -> None:
    entries = parse_snapchat((SNAPCHAT / "chat_history-2021.json").read_bytes()).entries
    assert [e.author for e in entries] == ["hugo_b", None, "hugo_b"]


def test_the_number_is_used_only_without_created_and_its_unit_told_by_size() -> None:
    milliseconds = {"x": [{"From": "a", "Media Type": "TEXT", "Created(microseconds)": 1774741510204}]}
    microseconds = {"x": [{"From": "a", "Media Type": "TEXT", "Created(microseconds)": 1774741510204000}]}
    for document in (milliseconds, microseconds):
        entry = parse_snapchat(json.dumps(document).encode(), tz="UTC").entries[0]
        assert entry.timestamp.isoformat() == "2026-03-28T23:45:10.204000+00:00"


def test_status_records() -> None:
    records = [
        {"From": "hugo_b", "Media Type": kind, "Created": "2026-01-05 12:00:00 UTC"}
        for kind in ("STATUSCALLMISSEDAUDIO", "STATUSPARTICIPANTADDED", "STATUSERASEDSNAPMESSAGE")
    ]
    entries = parse_snapchat(json.dumps({"groupe": records}).encode()).entries
    assert [(e.kind, e.system, e.deleted, e.author) for e in entries] == [
        ("system", "call", False, None),
        ("system", "member_added", False, None),
        ("message", None, True, "hugo_b"),
    ]


def test_pointer_tokens_are_escaped() -> None:
    document = {"a/b~c": [{"From": "x", "Media Type": "TEXT", "Created": "2026-01-05 12:00:00 UTC"}]}
    assert parse_snapchat(json.dumps(document).encode()).entries[0].pointer == "/a~1b~0c/0"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{", "not_json"),
        (b"[]", "not_snapchat"),
        (b"{}", "not_snapchat"),
        (b'{"messages": [{"text": "x"}]}', "not_snapchat"),
        (b'{"hugo": [{"Media Type": "TEXT", "Created": "hier"}]}', "bad_record"),
        (b'{"hugo": [{"Media Type": "TEXT", "Created": "0001-01-01 00:00:00 UTC"}]}', "bad_record"),
        (b'{"hugo": [{"Media Type": "TEXT"}, 3]}', "bad_record"),
        (b'{"hugo": [{"Media Type": 3, "Created": "2026-01-05 12:00:00 UTC"}]}', "bad_record"),
    ],
)
def test_bad_files(data: bytes, code: str) -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_snapchat(data)
    assert caught.value.code == code
    if code == "bad_record":
        assert "/hugo/" in caught.value.fr and "/hugo/" in caught.value.en


def test_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("recours.domain.chat.snapchat.MAX_BYTES", 10)
    with pytest.raises(ChatParseError) as caught:
        parse_snapchat((SNAPCHAT / "chat_history.json").read_bytes())
    assert caught.value.code == "too_large"


def test_no_other_golden_file_looks_like_snapchat() -> None:
    others = [p for p in GOLDEN.rglob("*") if p.is_file() and "expected" not in p.name]
    claimed = [p.name for p in others if looks_like_snapchat(p.read_bytes())]
    assert sorted(claimed) == ["chat_history-2021.json", "chat_history.json"]


@settings(max_examples=200, deadline=1000)
@given(
    json_documents(
        [
            "hugo",
            "Received Saved Chat History",
            "Sent Saved Chat History",
            "From",
            "To",
            "Media Type",
            "Created",
            "Content",
            "Text",
            "IsSender",
            "Created(microseconds)",
            "Media IDs",
        ]
    )
)
def test_any_json_parses_or_raises_the_parse_error(document: object) -> None:
    with contextlib.suppress(ChatParseError):
        parse_snapchat(json.dumps(document).encode())
