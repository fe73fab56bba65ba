"""``recours analyse`` / ``recours highlight`` and the analysis page, on an imported group chat
whose repetition and raid are known, with the real French signal pack."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from recours.adapters import vault_keys
from recours.cli.main import run
from tests.conftest import TOKEN, csrf_of, host_client, make_app
from tests.test_web_vault import create
from tests.vault_helpers import FAST

# A group chat of a class: Hugo insults Léa on three different days; on the evening of
# 2 March, Hugo, Inès and Noah pile on her within two hours; Léa quotes an insult.
EXPORT = """02/03/2026 08:00 - Hugo a créé le groupe « 4e B »
02/03/2026 08:01 - Hugo: salut tout le monde
02/03/2026 08:02 - Léa: salut !
02/03/2026 21:00 - Hugo: Léa t'es qu'une sale pute
02/03/2026 21:05 - Inès: @Léa va te pendre
02/03/2026 21:07 - Noah: mdr
02/03/2026 22:30 - Noah: Léa je vais te tuer
03/03/2026 07:30 - Léa: il m'a traitée de « sale pute » devant tout le monde
03/03/2026 12:00 - Inès: on se voit demain pour bosser ?
09/03/2026 18:00 - Hugo: Léa sale pute
20/03/2026 12:00 - Hugo: Léa je vais te tuer
"""


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault_keys, "STRONG", FAST)


@pytest.fixture
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "coffre"))
    monkeypatch.setenv("RECOURS_PASSPHRASE", "phrase de test assez longue")
    (tmp_path / "groupe.txt").write_text(EXPORT, encoding="utf-8")
    assert run(["vault", "init"]) == 0
    capsys.readouterr()
    assert run(["import", str(tmp_path / "groupe.txt"), "--me", "Léa", "--json"]) == 0
    item_id: str = json.loads(capsys.readouterr().out)["item_id"]
    return item_id


def analyse_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    assert run(["analyse", "--json", *args]) == 0
    result: dict = json.loads(capsys.readouterr().out)  # type: ignore[type-arg]
    return result


def test_analyse_json_shape_and_figures(imported: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = analyse_json(capsys)
    assert {"authors", "days", "repetition", "raids", "signals"} <= set(result)
    hugo = next(a for a in result["authors"] if a["author"] == "Hugo")
    assert hugo["messages"] == 4 and hugo["hostile"] == 3 and hugo["active_days"] == 3
    assert {"date": "2026-03-02", "messages": 6, "hostile": 3} in result["days"]
    repetition = {r["author"]: r for r in result["repetition"]}
    assert repetition["Hugo"]["days"] == ["2026-03-02", "2026-03-09", "2026-03-20"]
    assert repetition["Hugo"]["repeated"] is True
    raid = result["raids"][0]
    assert raid["target"] == "Léa"
    assert raid["authors"] == ["Hugo", "Inès", "Noah"]
    assert raid["start"] == "2026-03-02T21:00:00+01:00"
    assert result["me"] == "Léa"  # remembered from the import


def test_each_signal_has_the_verbatim_text_rules_category_and_span(
    imported: str, capsys: pytest.CaptureFixture[str]
) -> None:
    signals = analyse_json(capsys)["signals"]
    by_text: dict = {}  # type: ignore[type-arg]
    for signal in signals:
        by_text.setdefault(signal["text"], signal)  # the first one, for a text written twice
    threat = by_text["Léa je vais te tuer"]
    assert threat["author"] == "Noah"
    assert threat["timestamp"] == "2026-03-02T22:30:00+01:00"
    assert threat["rules"] and threat["category"] in {"death_threat", "threat"}
    start, end = threat["span"]
    assert "tuer" in threat["text"][start:end]
    assert by_text["@Léa va te pendre"]["category"] == "suicide_incitement"
    quoted = by_text["il m'a traitée de « sale pute » devant tout le monde"]
    assert quoted["hostile"] is False  # Léa quotes what she was told
    assert "on se voit demain pour bosser ?" not in by_text
    assert "mdr" not in by_text


def test_filters_by_author_date_and_signal(imported: str, capsys: pytest.CaptureFixture[str]) -> None:
    only_noah = analyse_json(capsys, "--author", "Noah")
    assert {s["author"] for s in only_noah["signals"]} == {"Noah"}
    later = analyse_json(capsys, "--since", "2026-03-09")
    assert [s["timestamp"][:10] for s in later["signals"]] == ["2026-03-09", "2026-03-20"]
    suicide = analyse_json(capsys, "--signal", "suicide_incitement")
    assert [s["author"] for s in suicide["signals"]] == ["Inès"]


def test_bad_options_are_refused_in_french(imported: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["analyse", "--since", "hier"]) == 2
    assert "Date non valable" in capsys.readouterr().err
    assert run(["analyse", "--signal", "gentillesse"]) == 2
    assert "Type de signal inconnu" in capsys.readouterr().err
    assert run(["analyse", "--chat", "nexistepas"]) == 2
    assert "Aucune discussion importée" in capsys.readouterr().err
    assert run(["highlight", "pas-une-reference"]) == 2
    assert "Référence de message non valable" in capsys.readouterr().err


def test_highlight_is_kept_and_logged(imported: str, capsys: pytest.CaptureFixture[str]) -> None:
    ref = next(s["ref"] for s in analyse_json(capsys)["signals"] if s["author"] == "Noah")
    assert run(["highlight", ref, "--note", "menace de mort"]) == 0
    assert "marqué" in capsys.readouterr().out
    marked = [s for s in analyse_json(capsys)["signals"] if s["highlighted"]]
    assert [s["ref"] for s in marked] == [ref]
    assert run(["verify"]) == 0  # the custody log still holds together
    assert run(["highlight", ref, "--remove"]) == 0
    assert not any(s["highlighted"] for s in analyse_json(capsys)["signals"])


def test_human_output_and_charts(imported: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(["analyse", "--charts", str(tmp_path / "graphiques")]) == 0
    out = capsys.readouterr().out
    assert "pistes à vérifier" in out and "Acharnement collectif" in out and "Hugo" in out
    svg = (tmp_path / "graphiques" / "days.svg").read_bytes()
    assert svg.startswith(b"<?xml") and b"<svg" in svg and b"<script" not in svg
    assert (tmp_path / "graphiques" / "hours.svg").exists()
    assert run(["analyse", "--list"]) == 0
    assert "groupe.txt" in capsys.readouterr().out


def test_nothing_imported_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "coffre"))
    monkeypatch.setenv("RECOURS_PASSPHRASE", "phrase de test assez longue")
    assert run(["vault", "init"]) == 0
    capsys.readouterr()
    assert run(["analyse"]) == 2
    assert "Aucune discussion n’a encore été importée" in capsys.readouterr().err


def test_the_analysis_page(tmp_path: Path) -> None:
    with host_client(make_app(vault_path=tmp_path / "coffre")) as client:
        client.get(f"/?token={TOKEN}")
        create(client)
        _the_analysis_page(client, csrf_of(client, "/coffre"))


def _the_analysis_page(client: TestClient, csrf: str) -> None:
    empty = client.get("/coffre/analyse")
    assert empty.status_code == 200 and "Aucune discussion" in empty.text
    response = client.post(
        "/coffre/importer",
        data={"csrf_token": csrf, "me": "Léa"},
        files=[("export", ("groupe.txt", EXPORT.encode(), "text/plain"))],
    )
    assert response.status_code == 200
    page = client.get("/coffre/analyse")
    assert page.status_code == 200
    html = page.text
    assert "Acharnement collectif possible" in html and "data:image/svg+xml;base64," in html
    assert "<mark>" in html and "<caption>" in html
    ref = re.search(r'name="ref" value="([^"]+)"', html)
    assert ref is not None
    marked = client.post(
        "/coffre/analyse/marquer", data={"csrf_token": csrf, "ref": ref.group(1), "note": ""}
    )
    assert marked.status_code == 200 and "Marqué pour le dossier." in marked.text
    filtered = client.post("/coffre/analyse", data={"csrf_token": csrf, "author": "Noah"})
    assert filtered.status_code == 200 and "sale pute" not in filtered.text.split('id="signals"')[1]
    bad = client.post("/coffre/analyse", data={"csrf_token": csrf, "signal": "gentillesse"})
    assert bad.status_code == 422 and "Type de signal inconnu" in bad.text


def test_the_help_lists_every_type_of_signal(capsys: pytest.CaptureFixture[str]) -> None:
    from recours.adapters.signal_pack import load_signal_pack

    assert run(["analyse", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for name in load_signal_pack().categories:
        assert name in help_text


def test_a_lone_surrogate_in_a_message_is_analysed_and_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Some JSON exports hold a lone surrogate (half of an emoji): it has no UTF-8 form, and
    the analysis (its RE2 gate reads UTF-8), the JSON and the terminal must still take it."""
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "coffre"))
    monkeypatch.setenv("RECOURS_PASSPHRASE", "phrase de test assez longue")
    messages = [
        {"id": n, "type": "message", "date": f"2026-07-1{n}T09:07:00", "from": "Hugo", "from_id": "user2",
         "text": text}
        for n, text in ((1, "t'es qu'une sale pute \\ud83d"), (2, "\\udc00 je vais te tuer"))
    ]  # fmt: skip
    export = json.dumps({"name": "Classe", "type": "private_group", "id": 4001, "messages": messages})
    (tmp_path / "result.json").write_text(export.replace("\\\\u", "\\u"), encoding="utf-8")
    assert run(["vault", "init"]) == 0
    assert run(["import", str(tmp_path / "result.json")]) == 0
    result = analyse_json(capsys)
    assert [s["text"] for s in result["signals"]] == ["t'es qu'une sale pute \ud83d", "\udc00 je vais te tuer"]
    capsys.readouterr()
    assert run(["analyse"]) == 0
    assert "je vais te tuer" in capsys.readouterr().out
    assert run(["dossier", "--out", str(tmp_path / "dossier")]) == 0
    with host_client(make_app(vault_path=tmp_path / "coffre")) as client:
        client.get(f"/?token={TOKEN}")
        client.post(
            "/coffre/ouvrir",
            data={"csrf_token": csrf_of(client, "/coffre"), "passphrase": "phrase de test assez longue"},
        )
        page = client.get("/coffre/analyse")
        assert page.status_code == 200 and "je vais te tuer" in page.text and "⟨U+D83D⟩" in page.text
