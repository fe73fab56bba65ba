"""Instagram / Messenger JSON exports: mojibake repaired, chronological order, pointers, markers."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from recours.domain.chat.meta import parse_meta, repair
from recours.errors import ChatParseError
from recours.services.chat import import_export, parse
from tests.chat_strategies import json_documents
from tests.vault_helpers import new_vault, tick

GOLDEN = Path(__file__).parent / "golden" / "meta"


def test_golden_instagram() -> None:
    data = (GOLDEN / "instagram-fr.json").read_bytes()
    assert b"\\u00c3\\u00a9" in data  # Meta's escaped UTF-8 bytes, as in real downloads
    expected = json.loads((GOLDEN / "instagram-fr.expected.json").read_text("utf-8"))
    result = parse(data, "auto", "Europe/Paris", None)
    assert result.format == "instagram"
    assert [e.as_json() for e in result.entries] == expected["entries"]


def test_mojibake_is_repaired_and_clean_text_left_alone() -> None:
    assert repair("d\u00c3\u00a9gage \u00f0\u009f\u0098\u00a1") == "dégage 😡"
    assert repair("déjà propre ✓") == "déjà propre ✓"


def test_messenger_when_no_instagram_marker() -> None:
    data = json.dumps(
        {"participants": [], "messages": [{"sender_name": "A", "timestamp_ms": 0, "content": "x"}]}
    )
    assert parse_meta(data.encode()).format == "messenger"
    assert parse(data.encode(), "instagram", "Europe/Paris", None).format == "instagram"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{not json", "not_json"),
        (b"[]", "not_meta"),
        (b'{"messages": [{"timestamp_ms": "x"}]}', "bad_record"),
    ],
)
def test_bad_files(data: bytes, code: str) -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_meta(data)
    assert caught.value.code == code


@settings(max_examples=300, deadline=None)
@given(json_documents(["messages", "sender_name", "timestamp_ms", "content", "share", "reactions", "photos"]))
def test_any_json_parses_or_raises_the_parse_error(document: object) -> None:
    with contextlib.suppress(ChatParseError):
        parse_meta(json.dumps(document).encode())


def test_import_detects_the_format(tmp_path: Path) -> None:
    vault, _ = new_vault(tmp_path / "coffre")
    summary = import_export(vault, GOLDEN / "instagram-fr.json", tick(1))
    assert summary.format == "instagram" and summary.messages == 4 and summary.authors == ["Léa", "kev_du_93"]
    vault.close()
