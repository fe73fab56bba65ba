"""Importing a WhatsApp export into the vault: kept, recorded, merged, verified."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recours.adapters.vault_store import Vault
from recours.cli.main import run
from recours.domain.chat import records
from recours.domain.chat.model import ChatEntry, ParsedExport
from recours.domain.chat.whatsapp import parse_whatsapp
from recours.errors import ChatParseError, ItemNotFound, VaultDamaged
from recours.services import analysis as analysis_svc
from recours.services import chat as chat_svc
from recours.services import vault as svc
from tests.test_vault_tamper import raw_db
from tests.vault_helpers import new_vault, reopen, tick

# The columns the analysis reads (services/analysis.py).
ANALYSED = ("timestamp", "author", "kind", "text", "source_id", "reply_to")

GOLDEN = Path(__file__).parent / "golden" / "whatsapp"


@pytest.fixture
def vault(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened, _ = new_vault(tmp_path / "coffre")
    yield opened
    opened.close()


def test_an_export_is_kept_and_its_records_stored(vault: Vault) -> None:
    summary = chat_svc.import_export(vault, GOLDEN / "android-fr-24h.txt", tick(1), me="Léa")
    expected = json.loads((GOLDEN / "android-fr-24h.expected.json").read_text("utf-8"))["entries"]
    assert summary.format == "whatsapp" and summary.entries == len(expected) and summary.new == len(expected)
    assert summary.messages == sum(1 for e in expected if e["kind"] == "message")
    assert summary.system_events == summary.entries - summary.messages
    assert set(summary.authors) == {e["author"] for e in expected if e["author"]}
    assert summary.first == min(e["timestamp"] for e in expected)
    item = svc.get_item(vault, summary.item_id)
    assert item.record.name == "android-fr-24h.txt" and item.item.tags == ["export:whatsapp"]
    assert chat_svc.stored_records(vault)[summary.item_id] == expected
    assert svc.verify(vault, read_data=True).clean


def test_a_later_export_of_the_same_chat_adds_only_what_is_new(vault: Vault, tmp_path: Path) -> None:
    full = (GOLDEN / "android-fr-24h.txt").read_bytes()
    lines = full.splitlines(keepends=True)
    early = tmp_path / "debut.txt"
    cut = json.loads((GOLDEN / "android-fr-24h.expected.json").read_text("utf-8"))["entries"][3]["lines"][1]
    early.write_bytes(b"".join(lines[:cut]))  # an earlier export: the first four entries
    first = chat_svc.import_export(vault, early, tick(1))
    second = chat_svc.import_export(vault, GOLDEN / "android-fr-24h.txt", tick(2))
    assert second.already_present == first.entries
    assert second.new == second.entries - first.entries
    again = chat_svc.import_export(vault, GOLDEN / "android-fr-24h.txt", tick(3))
    assert again.new == 0 and again.already_present == again.entries
    assert svc.verify(vault).clean


def test_an_unreadable_export_changes_nothing(vault: Vault) -> None:
    with pytest.raises(ChatParseError):
        chat_svc.import_export(vault, GOLDEN / "not-whatsapp.txt", tick(1))
    assert svc.list_items(vault) == []


def test_edited_imported_messages_are_detected(vault: Vault) -> None:
    summary = chat_svc.import_export(vault, GOLDEN / "android-de.txt", tick(1))
    vault.close()
    with raw_db(vault.path) as db:
        document = json.loads(db.execute("SELECT document FROM chat_records").fetchone()[0])
        document["columns"]["text"][2] = "etwas anderes"
        db.execute("UPDATE chat_records SET document = ?", (json.dumps(document, separators=(",", ":")),))
    reopened = reopen(vault.path)
    report = svc.verify(reopened)
    assert not report.clean and summary.item_id in report.problems[0].fr
    reopened.close()


def test_the_import_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from recours.adapters import vault_keys
    from tests.vault_helpers import FAST

    monkeypatch.setattr(vault_keys, "STRONG", FAST)
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "coffre"))
    monkeypatch.setenv("RECOURS_PASSPHRASE", "phrase de test assez longue")
    assert run(["vault", "init"]) == 0
    capsys.readouterr()
    assert run(["import", str(GOLDEN / "ios-fr.txt"), "--json", "--me", "Léa"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {"format", "entries", "messages", "system_events", "authors", "first", "last", "item_id"} <= set(
        summary
    )
    assert run(["import", str(GOLDEN / "ambiguous-dates.txt")]) == 2
    assert "--date-order" in capsys.readouterr().err
    assert run(["import", str(GOLDEN / "ambiguous-dates.txt"), "--date-order", "dmy"]) == 0
    assert run(["import", str(GOLDEN / "ios-fr.txt"), "--format", "telegram"]) == 2
    assert run(["import", str(GOLDEN / "ios-fr.txt"), "--tz", "Mars/Olympus"]) == 2


def test_the_scanner_warms_up_while_the_records_are_read(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scanner with a warm-up (adapters/parallel_scan.py) has it around the reading of the
    records, and over before it scans: the scan may fork only when no other thread runs."""
    chat_svc.import_export(vault, GOLDEN / "android-de.txt", tick(1))
    steps: list[str] = []
    reading = chat_svc.stored_columns

    def stored_columns(*args: Any, **kwargs: Any) -> Any:
        steps.append("read")
        return reading(*args, **kwargs)

    class Scanner:
        @contextlib.contextmanager
        def warming(self) -> Iterator[None]:
            steps.append("warming")
            yield
            steps.append("warmed")

        def scan_many(self, texts: Sequence[str]) -> dict[int, tuple[Any, ...]]:
            steps.append("scan")
            return {}

    monkeypatch.setattr(chat_svc, "stored_columns", stored_columns)
    assert analysis_svc.run(vault, Scanner()).messages > 0
    assert steps == ["warming", "read", "warmed", "scan"]


def test_an_unreadable_records_document_is_reported(vault: Vault) -> None:
    summary = chat_svc.import_export(vault, GOLDEN / "android-de.txt", tick(1))
    vault.close()
    with raw_db(vault.path) as db:
        db.execute("UPDATE chat_records SET document = '{\"version\": 1}'")
    reopened = reopen(vault.path)
    report = svc.verify(reopened)
    assert not report.clean and summary.item_id in report.problems[0].fr
    with pytest.raises(VaultDamaged):
        chat_svc.stored_records(reopened)
    with pytest.raises(VaultDamaged):  # the analysis reads only some columns, checked all the same
        analysis_svc.run(reopened, lambda text: ())
    reopened.close()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(max_size=30),
            st.none() | st.text(max_size=10),
            st.lists(st.text(max_size=8), max_size=2),
            st.none() | st.text(max_size=12),
        ),
        max_size=20,
    )
)
def test_records_survive_the_round_trip_whatever_their_text(
    rows: list[tuple[str, str | None, list[str], str | None]],
) -> None:
    """Any text, lone surrogates included (JSON exports may carry them), comes back unchanged."""
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))
    entries = [
        ChatEntry(moment, author, "message", None, text, tuple(attachments), False, False, 0, 0, pointer)
        for text, author, attachments, pointer in rows
    ]
    columns = records.columns_of(entries)
    document = records.encode(columns)
    assert records.decode(document) == columns
    for names in (ANALYSED, ("text",), ("attachment_items", "author"), records.FIELDS):
        assert records.decode_columns(document, names) == {name: columns[name] for name in names}
    assert [r["text"] for r in records.as_dicts(columns)] == [e.text for e in entries]
    assert records.digest(document) == records.digest(records.encode(records.decode(document)))


# A column is found by its key: texts that spell keys, quotes and backslashes must not mislead.
KEY_LIKE = ['"text":["x"]', '\\"author":', '],"kind":[', "\\", '"', '{"version":1,"columns":{"text":[']


@given(st.lists(st.sampled_from(KEY_LIKE) | st.text(max_size=12), min_size=1, max_size=8))
def test_reading_some_columns_is_reading_them_all(texts: list[str]) -> None:
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))
    entries = [
        ChatEntry(moment, text[:3] or None, "message", None, text, (text,), False, False, 0, 0, text)
        for text in texts
    ]
    columns = records.columns_of(entries)
    document = records.encode(columns)
    assert records.decode_columns(document, ANALYSED) == {name: columns[name] for name in ANALYSED}


def test_attachments_named_like_columns_do_not_mislead_the_reading() -> None:
    """Zip exports link attachments by file name (``attachment_items`` holds objects): files
    named like columns, in a document stored before ``source_id`` and ``reply_to`` existed."""
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))
    names = ("source_id", "reply_to", "text", "attachment_items")
    entries = [ChatEntry(moment, "Léa", "message", None, "regarde", names, False, False, 1, 1)]
    columns = records.columns_of(entries)
    columns["attachment_items"] = [{name: "item" + name for name in names}]
    for document in (
        records.encode(columns),
        json.dumps(
            {
                "version": 1,
                "columns": {n: c for n, c in columns.items() if n not in ("source_id", "reply_to")},
            },
            separators=(",", ":"),
        ),
    ):
        for wanted in (ANALYSED, ("reply_to",), ("attachment_items", "text")):
            assert records.decode_columns(document, wanted) == {
                name: records.decode(document)[name] for name in wanted
            }


def test_reading_some_columns_checks_them() -> None:
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))
    columns = records.columns_of([ChatEntry(moment, "Léa", "message", None, "salut", (), False, False, 1, 1)])
    with pytest.raises(ValueError, match="not a records document"):
        records.decode_columns(json.dumps({"version": 1, "columns": columns}), ("text",))  # not as stored
    with pytest.raises(ValueError, match="unknown columns"):
        records.decode_columns(records.encode(columns), ("text", "mood"))
    with pytest.raises(ValueError, match="ragged columns"):
        records.decode_columns(records.encode({**columns, "author": ["Léa", "Hugo"]}), ("text", "author"))
    with pytest.raises(ValueError, match="ragged columns"):
        records.decode_columns(records.encode({**columns, "text": "salut"}), ("text",))
    without_text = {name: column for name, column in columns.items() if name != "text"}
    with pytest.raises(ValueError, match="missing columns"):
        records.decode_columns(records.encode(without_text), ("text",))


@pytest.mark.parametrize("members", [120, 300])
def test_authors_and_kinds_are_stored_coded_and_read_back_the_same(members: int) -> None:
    """Each coded column is its distinct values and a code a record; read back, equal values
    are one object (counted per author at the speed of a cached hash)."""
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))
    # Codes past ASCII (written \uXXXX), the backslash among them (value 44), past one byte
    # (more than 208 values), and no author at all (a system event).
    people = [f"membre {n}" for n in range(members)]
    entries = [
        ChatEntry(moment, people[i % members], "message", None, f"message {i}", (), False, False, i, i)
        for i in range(2 * members)
    ] + [ChatEntry(moment, None, "system", "other", "Hugo a quitté", (), False, False, 0, 0)]
    columns = records.columns_of(entries)
    document = records.encode(columns)
    assert document.isascii()
    assert document.startswith('{"version":2,"columns":{')
    assert (
        '"author":{"values":["membre 0",' in document and '"kind":{"values":["message","system"]' in document
    )
    decoded = records.decode(document)
    assert decoded == columns
    assert records.decode_columns(document, ANALYSED) == {name: columns[name] for name in ANALYSED}
    assert decoded["author"][0] is decoded["author"][members] and decoded["author"][-1] is None


def test_a_column_with_too_many_values_stays_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "_MOST_VALUES_CODED", 2)
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))
    columns = records.columns_of(
        [
            ChatEntry(moment, name, "message", None, "salut", (), False, False, 1, 1)
            for name in ("Léa", "Hugo", "Inès")
        ]
    )
    document = records.encode(columns)
    assert '"author":["L\\u00e9a","Hugo","In\\u00e8s"]' in document and '"kind":{"values"' in document
    assert records.decode(document) == columns
    assert records.decode_columns(document, ("author", "kind")) == {
        "author": ["Léa", "Hugo", "Inès"],
        "kind": ["message"] * 3,
    }


@pytest.mark.parametrize(
    "author",
    [
        {"values": ["Léa"], "codes": "01"},  # a code past the values
        {"values": ["Léa", "Hugo"], "codes": "/0"},  # a code before the first
        {"values": ["Léa"], "codes": "0\u0130"},  # past one byte
        {"values": [str(n) for n in range(250)], "codes": "0" + chr(0x30 + 250)},  # past, beyond a byte
        {"values": [str(n) for n in range(250)], "codes": "/0"},
        {"values": ["Léa"], "codes": [0, 0]},
        {"values": "Léa", "codes": "00"},
        {"values": ["Léa"], "codes": "00", "extra": 1},
        "Léa",
    ],
)
def test_a_damaged_coded_column_is_refused(author: Any) -> None:
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))
    entries = [ChatEntry(moment, "Léa", "message", None, text, (), False, False, 1, 1) for text in ("a", "b")]
    stored = json.loads(records.encode(records.columns_of(entries)))
    stored["columns"]["author"] = author
    document = json.dumps(stored, separators=(",", ":"))
    with pytest.raises(ValueError, match=r"not a column|a code without its value"):
        records.decode(document)
    with pytest.raises(ValueError, match=r"not a column|a code without its value"):
        records.decode_columns(document, ANALYSED)


def test_a_document_stored_before_message_ids_still_reads() -> None:
    """Vaults written before ``source_id`` and ``reply_to`` existed: their records read with
    those columns empty (None), and the records come back in the shape they always had."""
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))
    entries = [
        ChatEntry(moment, "Léa", "message", None, "salut", (), False, False, 1, 1),
        ChatEntry(moment, None, "system", "other", "Hugo a quitté", (), False, False, 2, 2),
    ]
    columns = records.columns_of(entries)
    before = {name: column for name, column in columns.items() if name not in ("source_id", "reply_to")}
    document = json.dumps({"version": 1, "columns": before}, separators=(",", ":"))
    decoded = records.decode(document)
    assert decoded == columns
    assert decoded["source_id"] == decoded["reply_to"] == [None, None]
    assert records.decode_columns(document, ANALYSED) == {name: columns[name] for name in ANALYSED}
    assert records.decode_columns(document, ("reply_to",)) == {"reply_to": [None, None]}
    assert records.as_dicts(decoded) == [entry.as_json() for entry in entries]
    del before["text"]  # only the newer columns may be missing
    with pytest.raises(ValueError, match="missing columns"):
        records.decode(json.dumps({"version": 1, "columns": before}))


def test_ids_and_replies_are_stored_only_where_known() -> None:
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))
    entries = [
        ChatEntry(moment, "Léa", "message", None, "salut", (), False, False, 0, 0, "/messages/0", "7"),
        ChatEntry(moment, "Hugo", "message", None, "bof", (), False, False, 0, 0, "/messages/1", "8", "7"),
    ]
    columns = records.columns_of(entries)
    assert columns["source_id"] == ["7", "8"] and columns["reply_to"] == [None, "7"]
    assert records.decode(records.encode(columns)) == columns
    shown = records.as_dicts(columns)
    assert shown == [entry.as_json() for entry in entries]
    assert "reply_to" not in shown[0] and shown[1]["reply_to"] == "7"


def test_an_import_reports_its_steps(vault: Vault) -> None:
    heard: list[str] = []
    chat_svc.import_export(vault, GOLDEN / "android-de.txt", tick(1), on_step=heard.append)
    assert heard == ["parse", "store"]
    heard.clear()
    with pytest.raises(ChatParseError):
        chat_svc.import_export(vault, GOLDEN / "not-whatsapp.txt", tick(2), on_step=heard.append)
    assert heard == ["parse"]  # nothing is stored after a parse error


def test_highlights_are_checked_against_the_log(vault: Vault) -> None:
    summary = chat_svc.import_export(vault, GOLDEN / "android-de.txt", tick(1))
    analysis_svc.set_highlight(vault, f"{summary.item_id}#1", tick(2), "wichtig")
    analysis_svc.set_highlight(vault, f"{summary.item_id}#2", tick(3))
    analysis_svc.set_highlight(vault, f"{summary.item_id}#2", tick(4), None)
    assert set(vault.highlights()) == {(summary.item_id, 1)}
    assert svc.verify(vault).clean
    with pytest.raises(ItemNotFound):
        analysis_svc.set_highlight(vault, f"{summary.item_id}#999", tick(5))
    vault.close()
    with raw_db(vault.path) as db:
        db.execute("UPDATE highlights SET note = 'autre chose'")
        db.execute("INSERT INTO highlights VALUES (?, 3, '', '2026-01-01')", (summary.item_id,))
    reopened = reopen(vault.path)
    report = svc.verify(reopened)
    assert not report.clean and f"{summary.item_id}#3" in report.problems[0].fr
    assert f"{summary.item_id}#1" in report.problems[0].fr
    reopened.close()


TELEGRAM_WITH_REPLIES = {
    "name": "3e B",
    "type": "private_group",
    "id": 4001,
    "messages": [
        {"id": 1, "type": "message", "date_unixtime": "1784012400", "from": "Hugo", "text": "qui vient ?"},
        {"id": 2, "type": "message", "date_unixtime": "1784012460", "from": "Léa", "text": "moi"},
        {
            "id": 3,
            "type": "message",
            "date_unixtime": "1784012520",
            "from": "Inès",
            "text": "t'es une bouffonne",
            "reply_to_message_id": 2,
        },
        {
            "id": 4,
            "type": "message",
            "date_unixtime": "1784012580",
            "from": "Noah",
            "text": "bouffonne",
            "reply_to_message_id": 2,
            "reply_to_peer_id": "user99",  # a message of another chat: not Léa's here
        },
    ],
}


def test_a_reply_in_an_imported_telegram_chat_names_its_target(vault: Vault, tmp_path: Path) -> None:
    from tests.test_chat_analysis import scan

    export = tmp_path / "result.json"
    export.write_text(json.dumps(TELEGRAM_WITH_REPLIES, ensure_ascii=False), "utf-8")
    summary = chat_svc.import_export(vault, export, tick(1), me="Léa")
    stored = chat_svc.stored_records(vault)[summary.item_id]
    assert [(r.get("source_id"), r.get("reply_to")) for r in stored] == [
        ("1", None),
        ("2", None),
        ("3", "2"),
        ("4", None),
    ]
    result = analysis_svc.run(vault, scan)
    assert [(s.author, s.targets) for s in result.signals] == [
        ("Inès", (("Léa", "reply"),)),
        ("Noah", ()),
    ]
    assert result.as_json()["signals"][0]["targets"] == [{"name": "Léa", "via": "reply"}]
    assert svc.verify(vault, read_data=True).clean


def _watch_whatsapp_parses(monkeypatch: pytest.MonkeyPatch) -> list[ParsedExport]:
    """Every ParsedExport the WhatsApp parser gives during the test; building entries from the
    columns fails the test."""
    from recours.domain.chat import model, whatsapp_zip

    parsed: list[ParsedExport] = []

    def watched(*args: Any, **kwargs: Any) -> ParsedExport:
        parsed.append(parse_whatsapp(*args, **kwargs))
        return parsed[-1]

    def refused(*_: Any) -> None:
        raise AssertionError("the import built ChatEntry objects")

    monkeypatch.setattr(chat_svc, "parse_whatsapp", watched)
    monkeypatch.setattr(whatsapp_zip, "parse_whatsapp", watched)
    monkeypatch.setattr(model, "entries_of", refused)
    return parsed


def test_a_whatsapp_import_reads_columns_and_builds_no_entry(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The speed of a big import rests on it (docs/benchmarks.md): the fast path gives columns,
    the import stores them, no ChatEntry is made on the way."""
    from tests.test_chat_zip import android_zip

    parsed = _watch_whatsapp_parses(monkeypatch)
    summary = chat_svc.import_export(vault, GOLDEN / "android-fr-24h.txt", tick(1), me="Léa")
    zipped = chat_svc.import_bytes(vault, "WhatsApp Chat - Inès.zip", android_zip(), tick(2))
    assert [p.format for p in parsed] == ["whatsapp", "whatsapp"] and zipped.media == 2
    assert not any(p.entries_built for p in parsed)
    monkeypatch.undo()
    # What was stored is what the entries give, record by record.
    expected = json.loads((GOLDEN / "android-fr-24h.expected.json").read_text("utf-8"))["entries"]
    assert chat_svc.stored_records(vault)[summary.item_id] == expected
    assert parsed[0].as_json()["entries"] == expected and parsed[0].entries_built
    assert svc.verify(vault, read_data=True).clean


def test_parses_given_as_entries_or_as_columns_are_alike() -> None:
    """Either form gives the other: timestamps come back with their zone and fold, in the hour
    skipped and in the hour repeated when clocks change."""
    paris = ZoneInfo("Europe/Paris")
    moments = [
        datetime(2026, 3, 29, 2, 30, tzinfo=paris),  # skipped: written +01:00
        datetime(2026, 10, 25, 2, 30, tzinfo=paris),  # repeated: the first time, +02:00
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=paris),  # the second time, +01:00
        datetime(2026, 7, 14, 9, 5, 7, tzinfo=paris),
    ]
    entries = [
        ChatEntry(moment, "Léa", "message", None, str(n), ("a.jpg",) * n, False, n == 2, n, n + 1)
        for n, moment in enumerate(moments)
    ]
    given = ParsedExport(format="whatsapp", entries=entries, timezone="Europe/Paris", date_order="dmy")
    columns = given.columns()
    assert columns["timestamp"] == [m.isoformat() for m in moments]
    assert columns["timestamp"][1] != columns["timestamp"][2]
    rebuilt = ParsedExport(format="whatsapp", columns=columns, timezone="Europe/Paris", date_order="dmy")
    assert not rebuilt.entries_built and rebuilt == given
    assert [(e.timestamp.fold, e.timestamp.tzinfo) for e in rebuilt.entries] == [
        (0, paris),
        (0, paris),
        (1, paris),
        (0, paris),
    ]
    assert rebuilt.entries == entries and rebuilt.entries_built
    assert [e.timestamp.isoformat() for e in rebuilt.entries] == columns["timestamp"]
    assert records.of_export(rebuilt) == {**columns, "attachment_items": [None] * 4}
    with pytest.raises(ValueError, match="no time of"):
        _ = ParsedExport(format="x", columns=columns, timezone="Asia/Tokyo").entries
    with pytest.raises(TypeError):
        ParsedExport(format="x", timezone="UTC")
    renamed = given.renamed("instagram")
    assert renamed.format == "instagram" and given.format == "whatsapp" and renamed.entries is entries
