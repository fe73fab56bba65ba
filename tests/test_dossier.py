"""``recours dossier`` / ``recours verify-bundle`` / ``recours contact`` end to end, on a vault
holding photos (one with GPS and camera in its EXIF), a note, a URL, a group chat with a
raid, an incident with a witness and a contact — and hostile text everywhere a harasser writes."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pyrage
import pytest
from PIL import Image
from pypdf import PdfReader

from recours.adapters import vault_keys
from recours.cli.main import run
from tests.test_pdf import action_problems, squeeze
from tests.vault_helpers import FAST

PASSPHRASE = "phrase de test assez longue"
# The class group chat of tests/test_analysis_cli_web.py, with a bystander (Zoé) and hostile
# payloads in an author's name and a message.
EXPORT = """02/03/2026 08:00 - Hugo a créé le groupe « 4e B »
02/03/2026 08:01 - Hugo: salut tout le monde
02/03/2026 08:02 - Léa: salut !
02/03/2026 08:03 - Zoé Martin: coucou tout le monde
02/03/2026 21:00 - Hugo: Léa t'es qu'une sale pute <script>alert(1)</script>
02/03/2026 21:05 - Inès: @Léa va te pendre
02/03/2026 21:07 - Noah: mdr {{7*7}}
02/03/2026 22:30 - Noah: Léa je vais te tuer
03/03/2026 07:30 - Léa: il m'a traitée de « sale pute » devant tout le monde
03/03/2026 12:00 - Zoé Martin: Léa ça va ? je suis là
09/03/2026 18:00 - Hugo: Léa sale pute
20/03/2026 12:00 - Hugo: Léa je vais te tuer
"""
PAYLOADS = ["<script>alert(1)</script>", "{{7*7}}", "javascript:alert(1)", "<img src=http://evil.example/x.png>"]


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault_keys, "STRONG", FAST)


def photo(gps: bool) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model <b>X</b>"  # Model
    if gps:
        exif[0x8825] = {1: "N", 2: (45.0, 45.0, 0.0), 3: "E", 4: (4.0, 50.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "coffre"))
    monkeypatch.setenv("RECOURS_PASSPHRASE", PASSPHRASE)
    assert run(["vault", "init"]) == 0
    (tmp_path / "capture <script>.jpg").write_bytes(photo(gps=True))
    (tmp_path / "groupe.txt").write_text(EXPORT, encoding="utf-8")
    assert run(["add", str(tmp_path / "capture <script>.jpg"), "--tag", "instagram"]) == 0
    assert run(["note", "Il m'a écrit {{7*7}} et <script>alert(1)</script> hier soir."]) == 0
    assert run(["url", "https://example.org/post/1?x=<script>"]) == 0
    assert run(["import", str(tmp_path / "groupe.txt"), "--me", "Léa"]) == 0
    assert run(
        [
            "incident", "add", "--what", "Insultes dans le groupe javascript:alert(1)", "--when",
            "2026-03-02T21:00:00+01:00", "--platform", "WhatsApp", "--author", "Hugo",
            "--author-url", "https://example.org/hugo", "--witness", "Zoé Martin",
        ]
    ) == 0
    assert run(["contact", "3018", "--on", "2026-03-04", "--ref", "A-123", "--note", "conseils"]) == 0
    code, out, _ = cli(capsys, "analyse", "--json")
    assert code == 0
    signal = next(s for s in json.loads(out)["signals"] if "je vais te tuer" in s["text"])
    assert run(["highlight", signal["ref"], "--note", "menace de mort"]) == 0
    capsys.readouterr()
    return tmp_path


def build(capsys: pytest.CaptureFixture[str], out: Path, *options: str) -> dict:  # type: ignore[type-arg]
    code, stdout, err = cli(capsys, "dossier", "--out", str(out), "--json", *options)
    assert code == 0, err
    summary: dict = json.loads(stdout)  # type: ignore[type-arg]
    return summary


def pdf_text(path: Path) -> str:
    return squeeze("".join(page.extract_text() or "" for page in PdfReader(path).pages))


def test_the_bundle_verifies_with_recours_and_with_sha256sum(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = build(capsys, vault / "out", "--name", "Léa Dupont")
    bundle = Path(summary["bundle"])
    code, out, _ = cli(capsys, "verify-bundle", str(bundle))
    # Every file of the manifest, and manifest.json itself (SHA256SUMS checks the others).
    assert code == 0 and "FAIL " not in out and out.count("PASS ") == summary["files"] + 1
    extracted = vault / "extracted"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(extracted)
    done = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=extracted, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    names = set(zipfile.ZipFile(bundle).namelist())
    assert {"dossier.pdf", "manifest.json", "SHA256SUMS", "VERIFIER.txt", "verify_bundle.py"} <= names
    assert "custody.jsonl" in names and summary["custody_log"] is True  # the whole vault, unredacted
    assert sum(n.startswith("originals/") for n in names) == 4  # photo, note, URL, chat export


def test_the_same_vault_gives_the_same_bytes_even_after_an_export(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = build(capsys, vault / "a")
    second = build(capsys, vault / "b")  # the first export was recorded in the custody log
    for name in ("dossier.pdf", "recours-lot.zip"):
        assert (vault / "a" / name).read_bytes() == (vault / "b" / name).read_bytes()
    assert first["manifest_sha256"] == second["manifest_sha256"]
    code, out, _ = cli(capsys, "verify")
    assert code == 0, out  # the "dossier" custody entries are valid entries


def test_a_changed_original_fails_and_is_named(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = Path(build(capsys, vault / "out")["bundle"])
    tampered = vault / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("originals/") and info.filename.endswith(".txt"):
                data = data.replace(b"sale pute", b"sale puce")
            target.writestr(info, data)
    code, out, _ = cli(capsys, "verify-bundle", str(tampered))
    assert code == 1
    assert any(line.startswith("FAIL originals/") and line.count(".txt") for line in out.splitlines())
    code, _, err = cli(capsys, "verify-bundle", str(vault / "nothing.zip"))
    assert code == 2 and "Traceback" not in err


def test_the_pdf_has_every_part_and_the_manifest_inside(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = build(capsys, vault / "out", "--name", "Léa Dupont")
    text = pdf_text(Path(summary["pdf"]))
    for part in (
        "Léa Dupont", "1. Résumé", "2. Les faits", "3. Chronologie", "4. Les preuves", "5. Ce que montrent",
        "6. Démarches", "7. Infractions", "8. Comment vérifier", "A-123", "menace de mort",
        "222-33-2-2", "Ce que les empreintes prouvent", "Ce qu’elles ne prouvent pas",
    ):
        assert squeeze(part) in text, part
    reader = PdfReader(summary["pdf"])
    attached = reader.attachments["manifest.json"][0]
    manifest = json.loads(attached)
    inside = {f["path"] for f in manifest["files"]}
    with zipfile.ZipFile(summary["bundle"]) as archive:
        bundle_manifest = json.loads(archive.read("manifest.json"))
    # The PDF carries the manifest of the evidence; the bundle's lists the PDF and itself too.
    assert inside < {f["path"] for f in bundle_manifest["files"]}
    assert "dossier.pdf" not in inside and all(p.startswith(("originals/", "custody")) for p in inside)


def test_hostile_text_stays_text_and_the_pdf_does_nothing(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = build(capsys, vault / "out")
    reader = PdfReader(summary["pdf"])
    assert action_problems(reader) == []
    text = pdf_text(Path(summary["pdf"]))
    for payload in PAYLOADS[:3]:
        assert squeeze(payload) in text, payload


def test_redacted_dossier_masks_third_parties_and_strips_the_photos(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = build(capsys, vault / "out", "--redact")
    text = pdf_text(Path(summary["pdf"]))
    assert "Zoé" not in text and squeeze("Personne A") in text  # the bystander and the witness
    assert "Hugo" in text and "Noah" in text  # the authors of hostile messages stay named
    assert "PhoneMaker" not in text and "gps" not in text.lower()
    with zipfile.ZipFile(summary["bundle"]) as archive:
        names = archive.namelist()
        copies = [n for n in names if n.startswith("copies/")]
        assert len(copies) == 1 and not any(n.startswith("originals/") for n in names)
        assert "custody.jsonl" not in names  # it names every item and incident
        copy = Image.open(io.BytesIO(archive.read(copies[0])))
        assert not copy.getexif() and copy.size == (64, 48)
    assert summary["withheld"] == 3  # the note, the URL and the chat export name people
    code, out, _ = cli(capsys, "verify-bundle", summary["bundle"])
    assert code == 0, out
    code, out, _ = cli(capsys, "verify", "--read-data")
    assert code == 0, out  # the originals were not touched


def test_a_selection_keeps_only_its_items(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = build(capsys, vault / "out", "--tag", "instagram")
    with zipfile.ZipFile(summary["bundle"]) as archive:
        originals = [n for n in archive.namelist() if n.startswith("originals/")]
    assert len(originals) == 1 and originals[0].endswith(".jpg")
    assert summary["custody_log"] is False
    asked = build(capsys, vault / "with-log", "--tag", "instagram", "--custody-log")
    assert asked["custody_log"] is True
    code, out, _ = cli(capsys, "verify-bundle", asked["bundle"])
    assert code == 0 and "PASS custody.jsonl" in out


def test_an_encrypted_bundle_opens_with_the_recipient_key(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    identity = pyrage.x25519.Identity.generate()
    summary = build(capsys, vault / "out", "--encrypt-to", str(identity.to_public()))
    assert summary["pdf"] is None and summary["bundle"].endswith(".zip.age")
    assert not (vault / "out" / "dossier.pdf").exists()  # never in clear beside it
    plain = pyrage.decrypt(Path(summary["bundle"]).read_bytes(), [identity])
    (vault / "plain.zip").write_bytes(plain)
    code, out, _ = cli(capsys, "verify-bundle", str(vault / "plain.zip"))
    assert code == 0, out


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--from", "2026-13-01"], "Date non valable"),
        (["--from", "2026-03-10", "--to", "2026-03-01"], "--from est après --to"),
        (["--items", "zzzzzzzz"], "Élément(s) inconnu(s)"),
        (["--encrypt-to", "age1nope"], "clé publique age"),
    ],
)
def test_bad_options_are_refused_in_plain_french(
    vault: Path, capsys: pytest.CaptureFixture[str], options: list[str], words: str
) -> None:
    code, _, err = cli(capsys, "dossier", "--out", str(vault / "out"), *options)
    assert code == 2 and words in err and "Traceback" not in err


def test_existing_files_are_not_replaced_without_force(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(capsys, vault / "out")
    code, _, err = cli(capsys, "dossier", "--out", str(vault / "out"))
    assert code == 2 and "--force" in err
    assert build(capsys, vault / "out", "--force")["files"] > 0


def test_contacts_are_kept_in_the_log_and_checked(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "contact", "  ")
    assert code == 2 and "organisme" in err
    code, _, err = cli(capsys, "contact", "Pharos", "--on", "2999-01-01")
    assert code == 2 and "futur" in err
    code, out, _ = cli(capsys, "contact", "Pharos", "--ref", "PH-9", "--json")
    assert code == 0 and json.loads(out)["reference"] == "PH-9"


def test_the_verifier_inside_the_bundle_runs_alone(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = Path(build(capsys, vault / "out")["bundle"])
    alone = vault / "alone"
    alone.mkdir()
    with zipfile.ZipFile(bundle) as archive:
        (alone / "verify_bundle.py").write_bytes(archive.read("verify_bundle.py"))
    shutil.copy(bundle, alone / "lot.zip")
    python = shutil.which("python3") or "python3"
    done = subprocess.run([python, "-I", "verify_bundle.py", "lot.zip"], cwd=alone, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# ---- the web page: background job, progress, downloads -------------------------------------


def test_the_dossier_page_builds_in_the_background_and_serves_both_files(tmp_path: Path) -> None:
    from tests.test_web_vault import session_with_chat

    with session_with_chat(tmp_path / "coffre", EXPORT) as (client, csrf):
        page = client.get("/coffre/dossier")
        assert page.status_code == 200 and "Préparer le dossier" in page.text
        assert client.get("/coffre/dossier/fichier/pdf").status_code == 404  # nothing made yet
        refused = client.post(
            "/coffre/dossier/contact", data={"csrf_token": csrf, "organisation": "", "on": "2026-03-04"}
        )
        assert refused.status_code == 422 and "Indiquez l’organisme" in refused.text
        noted = client.post(
            "/coffre/dossier/contact",
            data={"csrf_token": csrf, "organisation": "Pharos <b>", "on": "2026-03-04", "reference": "PH-1"},
        )
        assert noted.status_code == 200 and "Pharos &lt;b&gt;" in noted.text
        bad = client.post("/coffre/dossier", data={"csrf_token": csrf, "since": "2026-03-10", "until": "2026-03-01"})
        assert bad.status_code == 422 and "après la date de fin" in bad.text
        started = client.post(
            "/coffre/dossier", data={"csrf_token": csrf, "person": "Léa D."}, follow_redirects=False
        )
        assert started.status_code == 303 and started.headers["location"] == "/coffre/dossier"
        for _ in range(300):
            page = client.get("/coffre/dossier")
            if "Préparation du dossier en cours" not in page.text:
                break
            # Its step, asked for again by htmx; without JavaScript, a reload shows it (no timed
            # meta refresh: WCAG 2.2.1).
            assert 'hx-get="/coffre/travail"' in page.text and 'http-equiv="refresh"' not in page.text
            time.sleep(0.1)
        assert "Votre dossier est prêt" in page.text, page.text
        pdf = client.get("/coffre/dossier/fichier/pdf")
        bundle = client.get("/coffre/dossier/fichier/lot")
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
        assert "attachment" in pdf.headers["content-disposition"]
        (tmp_path / "lot.zip").write_bytes(bundle.content)
        assert run(["verify-bundle", str(tmp_path / "lot.zip")]) == 0
        with zipfile.ZipFile(tmp_path / "lot.zip") as archive:
            assert archive.read("dossier.pdf") == pdf.content
        assert "PH-1" in pdf_text_of(pdf.content)
        # No case data in the addresses the page uses.
        assert "Léa" not in "".join(re.findall(r'(?:href|action)="([^"]+)"', page.text))
        client.post("/coffre/verrouiller", data={"csrf_token": csrf})
        gone = client.get("/coffre/dossier/fichier/lot", follow_redirects=False)
        assert gone.status_code == 303  # the files went with the lock


def test_an_encrypted_bundle_from_the_page_opens_with_its_passphrase(tmp_path: Path) -> None:
    from tests.conftest import TOKEN, csrf_of, host_client, make_app
    from tests.test_web_vault import create

    with host_client(make_app(vault_path=tmp_path / "coffre")) as client:
        client.get(f"/?token={TOKEN}")
        create(client)
        csrf = csrf_of(client, "/coffre")
        short = client.post("/coffre/dossier", data={"csrf_token": csrf, "bundle_passphrase": "court"})
        assert short.status_code == 422 and "12 caractères" in short.text
        client.post("/coffre/dossier", data={"csrf_token": csrf, "bundle_passphrase": "une longue phrase de passe"})
        for _ in range(300):
            if "Votre dossier est prêt" in client.get("/coffre/dossier").text:
                break
            time.sleep(0.1)
        assert client.get("/coffre/dossier/fichier/pdf").status_code == 404  # only inside the bundle
        sealed = client.get("/coffre/dossier/fichier/lot").content
        plain = pyrage.passphrase.decrypt(sealed, "une longue phrase de passe")
        (tmp_path / "lot.zip").write_bytes(plain)
        assert run(["verify-bundle", str(tmp_path / "lot.zip")]) == 0


def pdf_text_of(data: bytes) -> str:
    return squeeze("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


def test_hidden_characters_are_shown_in_the_dossier() -> None:
    from recours.web.printing import reveal

    assert reveal("facture\u202egpj.exe") == "facture⟨U+202E⟩gpj.exe"
    assert reveal("a\u200bb\ufeff") == "a⟨U+200B⟩b⟨U+FEFF⟩"
    assert reveal("Léa « sale » — ok") == "Léa « sale » — ok"


def test_a_bundle_encrypted_with_a_passphrase(
    vault: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOURS_BUNDLE_PASSPHRASE", "court")
    code, _, err = cli(capsys, "dossier", "--out", str(vault / "out"), "--encrypt-passphrase")
    assert code == 2 and "12 caractères" in err
    monkeypatch.setenv("RECOURS_BUNDLE_PASSPHRASE", "une phrase pour le lot")
    summary = build(capsys, vault / "out", "--encrypt-passphrase")
    plain = pyrage.passphrase.decrypt(Path(summary["bundle"]).read_bytes(), "une phrase pour le lot")
    (vault / "plain.zip").write_bytes(plain)
    assert cli(capsys, "verify-bundle", str(vault / "plain.zip"))[0] == 0
