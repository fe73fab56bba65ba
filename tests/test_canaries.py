"""Canary scan (research B.10 T6a, T6d): known strings put in every field a user fills, then
every file the vault wrote and every log line at DEBUG are searched, in UTF-8, UTF-16 and
base64. None may be found: nothing readable at rest, nothing from the case in the logs."""

from __future__ import annotations

import base64
import json
import logging
import shutil
from pathlib import Path

import pytest

from recours.cli.main import run
from tests.conftest import TOKEN, csrf_of, host_client, make_app

CANARIES = {
    "file_name": "CANARYfichierZQX",
    "file_body": "CANARYcontenuWJK",
    "note": "CANARYnoteVBN",
    "tag": "CANARYtagPLM",
    "url": "CANARYadresseTRE",
    "incident": "CANARYincidentYUI",
    "author": "CANARYauteurOPA",
    "witness": "CANARYtemoinSDF",
    "web_note": "CANARYwebnoteGHJ",
    "web_upload": "CANARYwebfichierKLM",
    "chat_author": "CANARYchatauteurQWE",
    "chat_text": "CANARYmessageASD",
    "web_chat_author": "CANARYwebchatRTY",
}


def forms(text: str) -> list[bytes]:
    raw = text.encode()
    return [raw, text.encode("utf-16-le"), base64.b64encode(raw)[:12], base64.b64encode(b"x" + raw)[4:16]]


def test_no_canary_at_rest_or_in_logs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "coffre"))
    monkeypatch.setenv("RECOURS_PASSPHRASE", "phrase de test assez longue")
    from recours.adapters import vault_keys
    from tests.vault_helpers import FAST

    monkeypatch.setattr(vault_keys, "STRONG", FAST)
    c = CANARIES
    evidence = tmp_path / "entree" / f"{c['file_name']}.txt"
    evidence.parent.mkdir()
    evidence.write_text(c["file_body"] * 100, encoding="utf-8")
    assert run(["vault", "init"]) == 0
    assert run(["add", str(evidence), "--note", c["note"], "--tag", c["tag"]]) == 0
    assert run(["note", c["note"]]) == 0
    assert run(["url", f"https://example.org/{c['url']}"]) == 0
    assert (
        run(["incident", "add", "--what", c["incident"], "--author", c["author"], "--witness", c["witness"]])
        == 0
    )
    # A chat whose messages the analysis flags, imported, analysed and put in a dossier.
    chat = tmp_path / "entree" / "discussion.txt"
    chat.write_text(
        f"14/03/2026 21:00 - {c['chat_author']}: t'es qu'une sale pute {c['chat_text']}\n"
        f"15/03/2026 21:00 - {c['chat_author']}: je vais te tuer {c['chat_text']}\n"
        f"15/03/2026 21:05 - Léa: {c['chat_text']} arrête\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert run(["import", str(chat), "--me", "Léa", "--json"]) == 0
    item_id = json.loads(capsys.readouterr().out)["item_id"]
    assert run(["analyse", "--json"]) == 0
    assert c["chat_author"] in capsys.readouterr().out
    assert run(["highlight", f"{item_id}#0"]) == 0
    assert run(["dossier", "--out", str(tmp_path / "sortie")]) == 0
    assert run(["verify", "--read-data"]) == 0
    # The web app on the same vault.
    app = make_app(vault_path=tmp_path / "coffre")
    with host_client(app) as client:
        client.get(f"/?token={TOKEN}")
        token = csrf_of(client, "/coffre")
        client.post("/coffre/ouvrir", data={"csrf_token": token, "passphrase": "phrase de test assez longue"})
        client.post("/coffre/note", data={"csrf_token": token, "note": c["web_note"]})
        client.post(
            "/coffre/ajouter",
            data={"csrf_token": token},
            files=[("files", (f"{c['web_upload']}.txt", c["web_upload"].encode() * 50, "text/plain"))],
        )
        web_chat = f"16/03/2026 10:00 - {c['web_chat_author']}: sale pute {c['chat_text']}\n"
        imported = client.post(
            "/coffre/importer",
            data={"csrf_token": token},
            files=[("export", ("groupe.txt", web_chat.encode(), "text/plain"))],
        )
        assert "Discussion importée" in imported.text
        assert c["web_chat_author"] in client.get("/coffre/analyse").text
        listing = client.get("/coffre").text
        assert f"{c['web_upload']}.txt" in listing and listing.count("/coffre/element/") >= 5
    # The user's own plaintext copies, and the dossier made to be read, are outside the scan.
    evidence.unlink()
    chat.unlink()
    shutil.rmtree(tmp_path / "sortie")
    logged = "\n".join(
        record.getMessage()
        + str(record.args)
        + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )
    for name, canary in CANARIES.items():
        assert canary not in logged, name
        for path in tmp_path.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(form in data for form in forms(canary)), (name, path)

