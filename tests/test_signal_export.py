"""Signal chats exported by signal-export: chat.md (current and older layout) and data.json."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recours.domain.chat.signal import looks_like_signal, parse_signal
from recours.errors import ChatParseError
from recours.services.chat import parse

GOLDEN = Path(__file__).parent / "golden"
SIGNAL = GOLDEN / "signal"


@pytest.mark.parametrize(
    ("case", "expected"), [("chat.md", "chat"), ("data.json", "data"), ("index.md", "index")]
)
def test_golden(case: str, expected: str) -> None:
    wanted = json.loads((SIGNAL / f"{expected}.expected.json").read_text("utf-8"))
    result = parse((SIGNAL / case).read_bytes(), "auto", "Europe/Paris", None)
    assert result.format == "signal"
    assert [e.as_json() for e in result.entries] == wanted["entries"]


def test_markdown_and_json_of_one_chat_agree() -> None:
    from_markdown = parse_signal((SIGNAL / "chat.md").read_bytes()).entries
    from_json = parse_signal((SIGNAL / "data.json").read_bytes()).entries
    same_chat = [e for e in from_markdown if e.author != "Inès" and not e.attachments and not e.deleted]
    assert {(e.timestamp.replace(microsecond=0), e.author, e.text) for e in from_json} >= {
        (e.timestamp, e.author, e.text) for e in same_chat
    }


def test_windows_line_ends_and_the_older_comma() -> None:
    data = b"[2021-06-14, 10:23] Hugo: ligne un\r\nligne deux  \r\n[2021-06-14, 10:24] Me: stop  \r\n"
    entries = parse_signal(data).entries
    assert [(e.text, e.lines) for e in entries] == [("ligne un\nligne deux  ", (1, 2)), ("stop  ", (3, 3))]


def test_a_whatsapp_ios_export_with_year_first_dates_is_not_signal() -> None:
    data = "[2021-06-14 10:23:45] Léa: salut\n[2021-06-14 10:24:02] Hugo: ça va\n".encode()
    assert not looks_like_signal(data)
    assert parse(data, "auto", "Europe/Paris", None).format == "whatsapp"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"bonjour\n", "not_signal"),
        (b"", "not_signal"),
        (b"\xff\xfe[", "not_utf8"),
        (b"[2021-06-14 10:23:45] Hugo: \xff  \n", "not_utf8"),
        (b"[2021-13-45 10:23:45] Hugo: date impossible  \n", "bad_record"),
        (b'{"date": "2021-06-14T10:23:45", "sender": "Hugo"', "not_json"),
        (b'{"date": "2021-06-14T10:23:45", "sender": "Hugo"}\n', "bad_record"),
        (b'{"date": "hier", "sender": "Hugo", "body": "x"}\n', "bad_record"),
        (b'{"date": "2021-06-14T10:23:45", "sender": 3, "body": "x"}\n', "bad_record"),
        (b'{"date": "2021-06-14T10:23:45", "sender": "a", "body": "x"}\n[1]\n', "bad_record"),
    ],
)
def test_bad_files(data: bytes, code: str) -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_signal(data)
    assert caught.value.code == code


def test_bad_records_say_where() -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_signal(b'{"date": "2021-06-14T10:23:45", "sender": "a", "body": "x"}\n[1]\n')
    assert "ligne 2" in caught.value.fr and "line 2" in caught.value.en


def test_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("recours.domain.chat.signal.MAX_BYTES", 10)
    with pytest.raises(ChatParseError) as caught:
        parse_signal((SIGNAL / "chat.md").read_bytes())
    assert caught.value.code == "too_large"


def test_no_other_golden_file_looks_like_signal() -> None:
    others = [p for p in GOLDEN.rglob("*") if p.is_file() and "expected" not in p.name]
    claimed = [p.name for p in others if looks_like_signal(p.read_bytes())]
    assert sorted(claimed) == ["chat.md", "data.json", "index.md"]


# Pieces of signal-export's markdown, shuffled: headers (valid or not), texts, line ends, links.
_PIECES = st.sampled_from(
    [
        "[2021-06-14 10:23:45] ",
        "[2021-06-14, 10:23] ",
        "[2021-13-45 99:99] ",
        "[0001-01-01 00:00] ",
        "Hugo: ",
        "Me:",
        ": ",
        "t’es nul 😂",
        "  ",
        "\n",
        "\r\n",
        "\n\n",
        "![a.jpg](./media/a.jpg)",
        "(This message was deleted)",
        '{"date": "2021-06-14T10:23:45", "sender": "Hugo", "body": "x"}',
        "{",
        "\udcff",
    ]
)


@settings(max_examples=200, deadline=1000)
@given(st.one_of(st.binary(max_size=300), st.lists(_PIECES, max_size=30).map("".join)))
def test_any_input_parses_or_raises_the_parse_error(data: bytes | str) -> None:
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
    with contextlib.suppress(ChatParseError):
        parse_signal(raw)
