"""Instagram / Messenger JSON exports: mojibake repaired, chronological order, pointers, markers."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings

from recours.domain.chat.meta import looks_like_meta, parse_meta, repair
from recours.errors import ChatParseError
from recours.services.chat import import_export, parse
from tests.chat_strategies import json_documents
from tests.vault_helpers import new_vault, tick

GOLDEN = Path(__file__).parent / "golden" / "meta"


# Each case and the app it must be detected as (tests/golden/meta/README.md says what each covers).
CASES = [("instagram-fr", "instagram"), ("instagram-en", "instagram"), ("messenger-fr", "messenger")]


@pytest.mark.parametrize(("case", "app"), CASES)
def test_golden(case: str, app: str) -> None:
    data = (GOLDEN / f"{case}.json").read_bytes()
    assert b"\\u00c3\\u00a9" in data  # Meta's escaped UTF-8 bytes, as in real downloads
    expected = json.loads((GOLDEN / f"{case}.expected.json").read_text("utf-8"))
    assert looks_like_meta(data)
    result = parse(data, "auto", "Europe/Paris", None)
    assert result.format == expected["format"] == app
    assert [e.as_json() for e in result.entries] == expected["entries"]


def test_messenger_golden_crosses_both_clock_changes() -> None:
    """Europe/Paris: 01:00 UTC on 2026-03-29 jumps to 03:00; on 2026-10-25 02:00-03:00 is lived
    twice, so two messages both at 02:30 are an hour apart."""
    entries = {e.pointer: e for e in parse_meta((GOLDEN / "messenger-fr.json").read_bytes()).entries}
    before, after = entries["/messages/11"].timestamp, entries["/messages/10"].timestamp
    assert (before.isoformat(), after.isoformat()) == (
        "2026-03-29T01:58:40+01:00",
        "2026-03-29T03:30:00+02:00",
    )
    # Instants, not ``after - before``: datetimes sharing one tzinfo subtract as wall-clock times.
    assert after.timestamp() - before.timestamp() == 31 * 60 + 20
    first, second = entries["/messages/4"].timestamp, entries["/messages/1"].timestamp
    assert first.time() == second.time() and (first.utcoffset(), second.utcoffset()) == (
        timedelta(hours=2),
        timedelta(hours=1),
    )
    assert second.timestamp() - first.timestamp() == 3600


def _meta(*messages: dict[str, object]) -> bytes:
    return json.dumps({"participants": [], "messages": list(messages)}).encode()


# Keys of every message in recent downloads, Facebook's as well as Instagram's.
RECENT = {"is_geoblocked_for_viewer": False, "is_unsent_image_by_messenger_kid_parent": False}


@pytest.mark.parametrize(
    ("uri", "app"),
    [
        ("your_facebook_activity/messages/inbox/lea_1/photos/1.jpg", "messenger"),
        ("your_activity_across_facebook/messages/inbox/lea_1/photos/1.jpg", "messenger"),
        ("your_instagram_activity/messages/inbox/lea_1/photos/1.jpg", "instagram"),
        ("messages/inbox/lea_1/photos/1.jpg", "instagram"),  # older layout: is_geoblocked… decides
    ],
)
def test_app_read_from_media_paths(uri: str, app: str) -> None:
    message = {"sender_name": "A", "timestamp_ms": 0, "photos": [{"uri": uri}], **RECENT}
    assert parse_meta(_meta(message)).format == app


def test_group_members_added_removed_and_leaving() -> None:
    data = _meta(
        {
            "sender_name": "L\u00c3\u00a9a",
            "timestamp_ms": 3,
            "type": "Unsubscribe",
            "users": [{"name": "L\u00c3\u00a9a"}],
        },
        {"sender_name": "Yanis", "timestamp_ms": 2, "type": "Unsubscribe", "users": [{"name": "Sam"}]},
        {
            "sender_name": "Yanis",
            "timestamp_ms": 1,
            "type": "Subscribe",
            "users": [{"name": "Sam"}, {"name": "L\u00c3\u00a9a"}],
        },
    )
    entries = parse_meta(data).entries
    assert [(e.author, e.kind, e.system, e.text) for e in entries] == [
        (None, "system", "member_added", "Yanis [ajout au groupe : Sam, Léa]"),
        (None, "system", "member_removed", "Yanis [retrait du groupe : Sam]"),
        (None, "system", "member_left", "Léa [départ du groupe]"),
    ]


def test_a_sticker_is_an_attachment() -> None:
    uri = "your_facebook_activity/messages/stickers_used/369239263222822.png"
    message = {"sender_name": "A", "timestamp_ms": 0, "sticker": {"uri": uri, "ai_stickers": []}, **RECENT}
    result = parse_meta(_meta(message))
    assert result.entries[0].attachments == (uri,) and result.format == "messenger"


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
    summary = import_export(vault, GOLDEN / "messenger-fr.json", tick(2))
    assert (summary.format, summary.messages, summary.system_events) == ("messenger", 11, 2)
    assert summary.authors == ["Chloé Martin", "Inès Moreau", "Léa Petit", "Théo Dubois", "Yanis Benali"]
    vault.close()
