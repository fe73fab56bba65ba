"""The vault from the command line: exit codes, messages, JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recours.adapters import vault_keys
from recours.cli.main import run
from tests.vault_helpers import FAST


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    # The strong Argon2id cost is tested in test_vault_keys; here each command would pay it.
    monkeypatch.setattr(vault_keys, "STRONG", FAST)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "coffre"))
    monkeypatch.setenv("RECOURS_PASSPHRASE", "phrase de test assez longue")
    return tmp_path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_whole_cycle(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "vault", "init")
    assert code == 0 and "clé de récupération" in out
    recovery = next(line.strip() for line in out.splitlines() if line.count("-") == 12)
    (env / "capture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000)
    code, out, _ = cli(
        capsys, "add", str(env / "capture.png"), "--tag", "instagram", "--note", "vue à 22 h", "--json"
    )
    assert code == 0
    item = json.loads(out)[0]
    assert {"id", "kind", "sha256", "size", "name", "added_at", "tags"} <= set(item)
    assert item["tags"] == ["instagram"] and item["name"] == "capture.png"
    assert cli(capsys, "note", "Il a recommencé ce soir")[0] == 0
    assert cli(capsys, "url", "https://www.tiktok.com/@auteur/video/1")[0] == 0
    code, out, _ = cli(capsys, "list", "--json")
    assert code == 0 and len(json.loads(out)) == 3
    code, out, _ = cli(capsys, "show", item["id"], "--json")
    assert json.loads(out)["metadata"]["note"] == "vue à 22 h"
    code, out, _ = cli(capsys, "export-item", item["id"], "--out", str(env / "copie.png"))
    assert code == 0 and (env / "copie.png").read_bytes() == (env / "capture.png").read_bytes()
    code, out, _ = cli(capsys, "receipt")
    (env / "recu.txt").write_text(out, encoding="utf-8")
    code, out, _ = cli(capsys, "verify", "--read-data", "--receipt", str(env / "recu.txt"))
    assert code == 0 and "intact" in out
    assert cli(capsys, "tag", item["id"], "harcèlement", "instagram")[0] == 0
    assert cli(capsys, "delete", item["id"], "--yes")[0] == 0
    code, out, _ = cli(capsys, "list", "--json")
    assert len(json.loads(out)) == 2
    # Recovery key opens it too.
    code, out, _ = cli(capsys, "list", "--json", "--passphrase-file", str(_write(env / "r.txt", recovery)))
    assert code == 0
    assert cli(capsys, "vault", "panic", "--yes")[0] == 0
    code, _, err = cli(capsys, "list")
    assert code == 2 and "Aucun coffre" in err


def _write(path: Path, text: str) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_a_wrong_passphrase_is_exit_2(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(capsys, "vault", "init")
    monkeypatch.setenv("RECOURS_PASSPHRASE", "mauvaise phrase secrète")
    code, _, err = cli(capsys, "list")
    assert code == 2 and "incorrecte" in err and "Traceback" not in err


def test_tampering_is_exit_1_with_each_problem_listed(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "vault", "init")
    (env / "a.txt").write_text("preuve", encoding="utf-8")
    cli(capsys, "add", str(env / "a.txt"))
    blob = next(p for p in (env / "coffre" / "blobs").rglob("*") if p.is_file())
    data = bytearray(blob.read_bytes())
    data[-1] ^= 1
    blob.write_bytes(bytes(data))
    assert cli(capsys, "verify")[0] == 0  # structure only: same size
    code, _, err = cli(capsys, "verify", "--read-data")
    assert code == 1 and "a.txt" in err and "problème" in err


def test_minor_intimate_images_are_refused_with_help(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "vault", "init", "--minor")
    (env / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)
    code, _, err = cli(capsys, "add", str(env / "photo.jpg"), "--intimate")
    assert code == 2 and "3018" in err and "Pharos" in err
    code, out, _ = cli(capsys, "list", "--json")
    assert json.loads(out) == []


def test_missing_files_and_bad_input(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "vault", "init")
    assert cli(capsys, "add", str(env / "absent.png"))[0] == 2
    assert cli(capsys, "list", "--since", "hier")[0] == 2
    assert cli(capsys, "show", "zzzzzzzz")[0] == 2
    assert cli(capsys, "url", "javascript:alert(1)")[0] == 2
    assert cli(capsys, "vault", "init")[0] == 2  # already exists


def test_passphrase_change_from_files(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(capsys, "vault", "init")
    new = _write(env / "new.txt", "une nouvelle phrase secrète")
    assert cli(capsys, "vault", "passphrase", "--new-passphrase-file", str(new))[0] == 0
    assert cli(capsys, "list")[0] == 2
    monkeypatch.delenv("RECOURS_PASSPHRASE")
    assert cli(capsys, "list", "--passphrase-file", str(new))[0] == 0


def test_no_passphrase_without_a_terminal(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(capsys, "vault", "init")
    monkeypatch.delenv("RECOURS_PASSPHRASE")
    code, _, err = cli(capsys, "list")
    assert code == 2 and "--passphrase-file" in err


def test_vault_lock_asks_the_web_app_to_lock(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "vault", "init")
    code, out, _ = cli(capsys, "vault", "lock")
    assert code == 0 and "Verrouillage demandé" in out
    assert (env / "coffre" / "lock-request").exists()
    assert cli(capsys, "vault", "lock", "--vault", str(env / "nulle-part"))[0] == 2
