"""Importing a WhatsApp export into the vault: kept, recorded, merged, verified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recours.adapters.vault_store import Vault
from recours.cli.main import run
from recours.errors import ChatParseError
from recours.services import chat as chat_svc
from recours.services import vault as svc
from tests.test_vault_tamper import raw_db
from tests.vault_helpers import new_vault, reopen, tick

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
    assert vault.chat_records()[summary.item_id] == expected
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
        record = json.loads(db.execute("SELECT record FROM chat_entries WHERE position = 2").fetchone()[0])
        record["text"] = "etwas anderes"
        db.execute("UPDATE chat_entries SET record = ? WHERE position = 2", (json.dumps(record),))
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
