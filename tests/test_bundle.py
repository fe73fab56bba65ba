"""The verifiable evidence bundle: build, verify, tamper, reproduce, encrypt.

Round trip: a bundle built from synthetic members passes ``verify_bundle`` (in process, as the
bundled standalone copy, and as ``python -m``) and ``sha256sum -c`` / ``shasum -a 256 -c`` on
the extracted files. Every tampering the bundle can reveal fails with the file named; the one
it cannot reveal alone (a consistent rebuild) fails with the receipt. Unreadable input exits 2;
hostile archives exit 2 or 1, never with a traceback. Rebuilds are byte-identical.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyrage
import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recours import verify_bundle
from recours.adapters.age_format import CHUNK, Identity, decrypt_stream
from recours.adapters.bundle_files import (
    AgeWriter,
    PassphraseRecipient,
    X25519Recipient,
    save_bundle,
    verifier_source,
)
from recours.domain.bundle import (
    CUSTODY_LOG,
    MANIFEST,
    SUMS,
    Member,
    bundle_bytes,
    custody_log_bytes,
    item_path,
    log_head,
    path_problem,
    safe_component,
    zip_date_time,
)
from recours.domain.custody import GENESIS, Head, StoredEntry, entry_hash, head_of, receipt_text
from recours.errors import BadInput, ProblemFound

VAULT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
T0 = "2026-11-20T09:00:00+01:00"
ORIGINALS = {
    "capture.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
    "conversation.txt": "Tu vas voir demain… — message reçu à 23 h 14\n".encode() * 30,
    "vidéo été.mp4": os.urandom(3 * CHUNK + 17),
}
PDF = b"%PDF-1.7\n% dossier de test\n" + b"0" * 5000 + b"\n%%EOF\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain(originals: dict[str, bytes]) -> tuple[list[StoredEntry], dict[str, tuple[int, dict[str, Any]]]]:
    """A custody log with a creation entry then one ``add`` per original, as the vault writes it."""
    entries: list[StoredEntry] = []
    records: dict[str, tuple[int, dict[str, Any]]] = {}
    previous = GENESIS

    def append(entry: dict[str, Any]) -> None:
        nonlocal previous
        seq = len(entries) + 1
        entry = {**entry, "seq": seq}
        digest = entry_hash(previous, entry)
        entries.append(StoredEntry(seq, entry, previous, digest))
        previous = digest

    append({"action": "create", "at": T0, "vault": VAULT})
    for index, (name, data) in enumerate(sorted(originals.items())):
        record = {
            "id": f"{index:02d}" + "a" * 30,
            "kind": "file",
            "name": name,
            "size": len(data),
            "sha256": _sha(data),
            "blob": f"{index:02d}" + "b" * 30,
            "blob_size": len(data) + 200,
            "mime": "application/octet-stream",
            "added_at": f"2026-11-2{index}T10:0{index}:00+01:00",
            "metadata_sha256": "c" * 64,
        }
        append(
            {"action": "add", "at": record["added_at"], "item": record["id"], "record": record, "tags": []}
        )
        records[name] = (len(entries), record)
    return entries, records


def members(
    originals: dict[str, bytes] | None = None, *, as_writers: bool = True
) -> tuple[list[Member], Head]:
    """The members a service would gather: originals (streamed), the dossier, the custody log."""
    originals = ORIGINALS if originals is None else originals
    entries, records = chain(originals)
    chosen = []
    for name, data in originals.items():
        seq, record = records[name]

        def write(out: Any, data: bytes = data) -> None:
            for start in range(0, len(data), 7000):
                out.write(data[start : start + 7000])

        chosen.append(
            Member(
                path=item_path(record["id"], name),
                role="original",
                content=write if as_writers else data,
                sha256=record["sha256"],
                size=record["size"],
                item_id=record["id"],
                intake_time=record["added_at"],
                custody_seq=seq,
                name=record["name"],
                media_type=record["mime"],
            )
        )
    chosen.append(Member("dossier.pdf", "dossier", PDF))
    chosen.append(Member(CUSTODY_LOG, "custody", custody_log_bytes(entries)))
    return chosen, head_of(entries)


def build(chosen: list[Member] | None = None, head: Head | None = None) -> bytes:
    if chosen is None:
        chosen, head = members()
    assert head is not None
    data, _ = bundle_bytes(
        chosen, vault_id=VAULT, generated_at=head.time, custody=head, verifier_source=verifier_source()
    )
    return data


@pytest.fixture(scope="module")
def bundle() -> bytes:
    return build()


def run(tmp_path: Path, data: bytes, *extra: str) -> int:
    path = tmp_path / "recours-bundle.zip"
    path.write_bytes(data)
    return verify_bundle.main([str(path), *extra])


def lines(output: str) -> dict[str, str]:
    """``PASS path`` / ``FAIL path: reason`` lines, by path."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"^(PASS|FAIL) (.+?)(?:: (.*))?$", line)
        if match:
            found[match.group(2)] = match.group(1) + (": " + match.group(3) if match.group(3) else "")
    return found


def contents(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def resum(files: dict[str, bytes]) -> None:
    """Recompute SHA256SUMS from the files, as a forger would."""
    files[SUMS] = "".join(f"{_sha(files[name])}  {name}\n" for name in sorted(files) if name != SUMS).encode()


def edit_manifest(files: dict[str, bytes], change: Callable[[dict[str, Any]], None]) -> None:
    manifest = json.loads(files[MANIFEST])
    change(manifest)
    files[MANIFEST] = rfc8785.dumps(manifest)


def original_path(files: dict[str, bytes], name: str) -> str:
    return next(path for path in files if path.startswith("originals/") and path.endswith(name))


# -- round trip ----------------------------------------------------------------------------------


def test_a_fresh_bundle_passes_the_verifier(
    tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, bundle) == 0
    output = capsys.readouterr().out
    expected = set(contents(bundle)) - {SUMS}
    assert lines(output) == dict.fromkeys(expected, "PASS")
    assert "Résultat : 8 fichier(s) conforme(s), 0 en échec, sur 8." in output
    assert "Le lot est intact" in output


def test_sha256sum_and_shasum_accept_the_extracted_bundle(tmp_path: Path, bundle: bytes) -> None:
    (tmp_path / "recours-bundle.zip").write_bytes(bundle)
    folder = tmp_path / "extracted"
    if shutil.which("unzip"):  # Info-ZIP, as a recipient would (it reads the data descriptors)
        subprocess.run(["unzip", "-q", "recours-bundle.zip", "-d", "extracted"], cwd=tmp_path, check=True)
    else:
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            archive.extractall(folder)
    tools = [["sha256sum", "-c", SUMS], ["shasum", "-a", "256", "-c", SUMS]]
    available = [tool for tool in tools if shutil.which(tool[0])]
    if not available:
        pytest.skip("neither sha256sum nor shasum on this machine")
    for tool in available:
        result = subprocess.run(tool, cwd=folder, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.count(": OK") == len(contents(bundle)) - 1
    # And it fails once a file changes.
    (folder / "dossier.pdf").write_bytes(PDF + b"x")
    result = subprocess.run(available[0], cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "dossier.pdf: FAILED" in result.stdout


def test_the_bundled_verifier_runs_alone_with_plain_python(tmp_path: Path, bundle: bytes) -> None:
    (tmp_path / "recours-bundle.zip").write_bytes(bundle)
    (tmp_path / "verify_bundle.py").write_bytes(contents(bundle)["verify_bundle.py"])
    # -I: isolated mode, no site-packages and no current folder on the path: stdlib only.
    result = subprocess.run(
        [sys.executable, "-I", "verify_bundle.py", "recours-bundle.zip", "--lang", "en"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Result: 8 file(s) passed, 0 failed, out of 8." in result.stdout
    assert "The bundle is intact" in result.stdout


def test_python_m_runs_the_verifier(tmp_path: Path, bundle: bytes) -> None:
    (tmp_path / "b.zip").write_bytes(bundle)
    result = subprocess.run(
        [sys.executable, "-m", "recours.verify_bundle", str(tmp_path / "b.zip")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_verifier_uses_only_the_standard_library_of_python_3_8() -> None:
    source = verifier_source().decode("utf-8")
    tree = ast.parse(source, feature_version=(3, 8))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            imported.add((node.module or "").split(".")[0])
    assert imported - {"__future__"} <= sys.stdlib_module_names, imported
    assert source.startswith('"""') and "from __future__ import annotations" in source


def test_the_manifest_and_sums_describe_every_file(bundle: bytes) -> None:
    files = contents(bundle)
    manifest_bytes = files[MANIFEST]
    manifest = json.loads(manifest_bytes)
    assert rfc8785.dumps(manifest) == manifest_bytes  # canonical JSON, exactly
    assert manifest["format"] == "recours-bundle" and manifest["version"] == 1
    _, head = members()
    assert manifest["custody"] == {
        "count": head.count,
        "hash": head.hash,
        "time": head.time,
        "log": CUSTODY_LOG,
    }
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {MANIFEST, SUMS}
    for path, entry in listed.items():
        assert entry["sha256"] == _sha(files[path]) and entry["size"] == len(files[path])
    roles = {entry["role"] for entry in listed.values()}
    assert roles == {"original", "dossier", "custody", "instructions", "verifier"}
    _, records = chain(ORIGINALS)
    for name, (seq, record) in records.items():
        entry = listed[original_path(files, safe_component(name))]
        assert (entry["item_id"], entry["intake_time"], entry["custody_seq"], entry["name"]) == (
            record["id"],
            record["added_at"],
            seq,
            name,
        )
    sums = files[SUMS].decode()
    assert sums.endswith("\n")
    rows = [re.fullmatch(r"([0-9a-f]{64})  (.+)", line) for line in sums.splitlines()]
    assert all(rows)
    assert [row.group(2) for row in rows if row] == sorted(set(files) - {SUMS})
    assert {row.group(2): row.group(1) for row in rows if row} == {
        name: _sha(data) for name, data in files.items() if name != SUMS
    }


def test_the_zip_is_stored_sorted_and_timestamped_from_the_head(bundle: bytes) -> None:
    _, head = members()
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    for info in infos:
        assert info.date_time == zip_date_time(head.time) == (2026, 11, 22, 10, 2, 0)
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.external_attr >> 16 == stat.S_IFREG | 0o644 and info.create_system == 3


def test_verifier_txt_explains_the_checks_in_french_then_english(bundle: bytes) -> None:
    text = contents(bundle)["VERIFIER.txt"].decode("utf-8")
    french, english = text.index("COMMENT LE VÉRIFIER"), text.index("HOW TO CHECK IT")
    assert french < english
    for command in (
        "sha256sum -c SHA256SUMS",
        "shasum -a 256 -c SHA256SUMS",
        "Get-FileHash",
        "python3 verify_bundle.py",
    ):
        assert text.count(command) == 2, command
    _, head = members()
    assert head.hash in text and VAULT in text
    assert "ne prouve pas" in text and "does not prove" in text


def test_a_bundle_re_zipped_with_folders_and_deflate_still_passes(
    tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """A recipient may unzip and zip again (``zip -r``): only the bytes of the files count."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.mkdir("originals")
        for name, data in sorted(contents(bundle).items(), reverse=True):
            archive.writestr(name, data)
    assert run(tmp_path, out.getvalue()) == 0
    assert "Le lot est intact" in capsys.readouterr().out


def test_large_members_use_zip64_and_still_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Originals over 4 GiB need ZIP64 (APPNOTE 4.5.3); a low limit exercises that path here."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1000)
    data = build()
    assert b"\x01\x00\x10\x00" in data  # a ZIP64 extra field (header id 1, 16 bytes)
    monkeypatch.undo()
    assert run(tmp_path, data) == 0
    if shutil.which("unzip"):
        (tmp_path / "z.zip").write_bytes(data)
        result = subprocess.run(
            ["unzip", "-t", str(tmp_path / "z.zip")], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout


# -- reproducibility -----------------------------------------------------------------------------


def test_the_same_state_gives_the_same_bytes(tmp_path: Path, bundle: bytes) -> None:
    chosen, head = members()
    assert build(chosen, head) == bundle
    assert build(list(reversed(chosen)), head) == bundle
    as_bytes, _ = members(as_writers=False)
    assert build(as_bytes, head) == bundle
    # Through a real (seekable) file and the atomic writer: the same bytes again.
    manifest = save_bundle(tmp_path / "b.zip", chosen, vault_id=VAULT, generated_at=head.time, custody=head)
    assert (tmp_path / "b.zip").read_bytes() == bundle
    assert manifest.canonical() == contents(bundle)[MANIFEST]


def test_another_state_gives_other_bytes(bundle: bytes) -> None:
    changed = dict(ORIGINALS, **{"capture.png": ORIGINALS["capture.png"] + b"!"})
    assert build(*members(changed)) != bundle


# -- tampering -----------------------------------------------------------------------------------

Tamper = Callable[[dict[str, bytes]], None]


def _flip_original(files: dict[str, bytes]) -> None:
    path = original_path(files, "capture.png")
    data = bytearray(files[path])
    data[100] ^= 0x01
    files[path] = bytes(data)


def _append_to_original(files: dict[str, bytes]) -> None:
    files[original_path(files, ".txt")] += b"\n"


def _manifest_size(files: dict[str, bytes]) -> None:
    def change(manifest: dict[str, Any]) -> None:
        entry = next(e for e in manifest["files"] if e["path"].endswith(".mp4"))
        entry["size"] += 1

    edit_manifest(files, change)


def _manifest_intake_time(files: dict[str, bytes]) -> None:
    def change(manifest: dict[str, Any]) -> None:
        entry = next(e for e in manifest["files"] if e["path"].endswith("conversation.txt"))
        entry["intake_time"] = "2026-01-01T00:00:00+01:00"

    edit_manifest(files, change)


def _sums_line(files: dict[str, bytes]) -> None:
    path = original_path(files, ".mp4")
    lines_ = files[SUMS].decode().splitlines(keepends=True)
    files[SUMS] = "".join(
        ("0" * 64 + "  " + path + "\n") if line.endswith(f"  {path}\n") else line for line in lines_
    ).encode()


def _sums_line_removed(files: dict[str, bytes]) -> None:
    text = files[SUMS].decode()
    files[SUMS] = "".join(
        line for line in text.splitlines(keepends=True) if "dossier.pdf" not in line
    ).encode()


def _manifest_unlisted(files: dict[str, bytes]) -> None:
    text = files[SUMS].decode()
    files[SUMS] = "".join(line for line in text.splitlines(keepends=True) if MANIFEST not in line).encode()


def _removed(files: dict[str, bytes]) -> None:
    del files[original_path(files, ".txt")]


def _added(files: dict[str, bytes]) -> None:
    files["originals/ajout.jpg"] = b"\xff\xd8\xff not in the vault"


def _renamed(files: dict[str, bytes]) -> None:
    path = original_path(files, "capture.png")
    files["originals/renamed.png"] = files.pop(path)


def _swapped(files: dict[str, bytes]) -> None:
    one, two = original_path(files, ".png"), original_path(files, ".txt")
    files[one], files[two] = files[two], files[one]


def _manifest_hash_resummed(files: dict[str, bytes]) -> None:
    def change(manifest: dict[str, Any]) -> None:
        next(e for e in manifest["files"] if e["path"].endswith(".png"))["sha256"] = "ab" * 32

    edit_manifest(files, change)
    resum(files)


def _manifest_time_resummed(files: dict[str, bytes]) -> None:
    _manifest_intake_time(files)
    resum(files)


def _manifest_seq_resummed(files: dict[str, bytes]) -> None:
    def change(manifest: dict[str, Any]) -> None:
        png = next(e for e in manifest["files"] if e["path"].endswith(".png"))
        txt = next(e for e in manifest["files"] if e["path"].endswith("conversation.txt"))
        png["custody_seq"], txt["custody_seq"] = txt["custody_seq"], png["custody_seq"]

    edit_manifest(files, change)
    resum(files)


def _original_replaced_everything_resummed(files: dict[str, bytes]) -> None:
    """A forged original, its manifest entry and the sums all made consistent."""
    path = original_path(files, ".png")
    files[path] = b"\x89PNG forged"

    def change(manifest: dict[str, Any]) -> None:
        entry = next(e for e in manifest["files"] if e["path"] == path)
        entry["sha256"], entry["size"] = _sha(files[path]), len(files[path])

    edit_manifest(files, change)
    resum(files)


def _log_entry_edited(files: dict[str, bytes]) -> None:
    log = files[CUSTODY_LOG].replace(b'"name":"capture.png"', b'"name":"capture2.png"')
    assert log != files[CUSTODY_LOG]
    files[CUSTODY_LOG] = log

    def change(manifest: dict[str, Any]) -> None:
        entry = next(e for e in manifest["files"] if e["path"] == CUSTODY_LOG)
        entry["sha256"], entry["size"] = _sha(log), len(log)

    edit_manifest(files, change)
    resum(files)


def _log_tail_cut(files: dict[str, bytes]) -> None:
    log = b"".join(files[CUSTODY_LOG].splitlines(keepends=True)[:-1])
    files[CUSTODY_LOG] = log

    def change(manifest: dict[str, Any]) -> None:
        entry = next(e for e in manifest["files"] if e["path"] == CUSTODY_LOG)
        entry["sha256"], entry["size"] = _sha(log), len(log)

    edit_manifest(files, change)
    resum(files)


def _dossier_replaced(files: dict[str, bytes]) -> None:
    files["dossier.pdf"] = PDF.replace(b"dossier de test", b"dossier modifi\xe9")


def _instructions_edited(files: dict[str, bytes]) -> None:
    files["VERIFIER.txt"] = files["VERIFIER.txt"].replace(b"sha256sum -c", b"true ||")


def _verifier_edited(files: dict[str, bytes]) -> None:
    files["verify_bundle.py"] += b"\nEXIT_FAIL = 0\n"


def _manifest_garbled(files: dict[str, bytes]) -> None:
    files[MANIFEST] = b"{not json"
    resum(files)


def _sums_garbled(files: dict[str, bytes]) -> None:
    files[SUMS] += b"this is not a checksum line\n"


TAMPERINGS: dict[str, tuple[Tamper, set[str]]] = {
    "a changed byte in an original": (_flip_original, {"capture.png"}),
    "a byte appended to an original": (_append_to_original, {"conversation.txt"}),
    "a manifest size changed": (_manifest_size, {MANIFEST, ".mp4"}),
    "a manifest intake time changed": (_manifest_intake_time, {MANIFEST}),
    "a SHA256SUMS line changed": (_sums_line, {".mp4"}),
    "a SHA256SUMS line removed": (_sums_line_removed, {"dossier.pdf"}),
    "manifest.json left out of SHA256SUMS": (_manifest_unlisted, {MANIFEST}),
    "a file removed": (_removed, {"conversation.txt"}),
    "a file added": (_added, {"originals/ajout.jpg"}),
    "a file renamed": (_renamed, {"capture.png", "originals/renamed.png"}),
    "two originals swapped": (_swapped, {"capture.png", "conversation.txt"}),
    "a manifest hash edited, sums recomputed": (_manifest_hash_resummed, {"capture.png"}),
    "a manifest intake time edited, sums recomputed": (_manifest_time_resummed, {"conversation.txt"}),
    "custody references swapped, sums recomputed": (
        _manifest_seq_resummed,
        {"capture.png", "conversation.txt"},
    ),
    "an original forged with manifest and sums recomputed": (
        _original_replaced_everything_resummed,
        {"capture.png"},
    ),
    "a custody entry edited, manifest and sums recomputed": (_log_entry_edited, {CUSTODY_LOG}),
    "the custody log's tail cut, manifest and sums recomputed": (_log_tail_cut, {CUSTODY_LOG}),
    "the dossier replaced": (_dossier_replaced, {"dossier.pdf"}),
    "VERIFIER.txt edited": (_instructions_edited, {"VERIFIER.txt"}),
    "verify_bundle.py edited": (_verifier_edited, {"verify_bundle.py"}),
    "manifest.json garbled, sums recomputed": (_manifest_garbled, {MANIFEST}),
    "a garbage line in SHA256SUMS": (_sums_garbled, {SUMS}),
}


@pytest.mark.parametrize("name", TAMPERINGS)
def test_every_tampering_fails_with_the_file_named(
    name: str, tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper, expected = TAMPERINGS[name]
    files = contents(bundle)
    tamper(files)
    assert run(tmp_path, zipped(files)) == 1
    output = capsys.readouterr().out
    failed = {path for path, verdict in lines(output).items() if verdict.startswith("FAIL")}
    for fragment in expected:
        assert any(path.endswith(fragment) for path in failed), (fragment, output)
    assert "Le lot a été modifié ou est incomplet" in output


def test_a_flipped_byte_inside_the_zip_fails_on_its_crc(
    tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(bundle)
    position = bytes(data).index(PDF) + 40
    data[position] ^= 0x20
    assert run(tmp_path, bytes(data)) == 1
    assert lines(capsys.readouterr().out)["dossier.pdf"] == "FAIL: contenu illisible ou altéré (CRC-32)"


def test_a_consistent_rebuild_passes_alone_but_not_against_the_receipt(
    tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """The documented limit: a forger who recomputes everything needs the receipt to be caught."""
    _, head = members()
    receipt = tmp_path / "recu.txt"
    receipt.write_text(receipt_text(VAULT, head), "utf-8")
    assert run(tmp_path, bundle, "--receipt", str(receipt)) == 0
    assert "PASS (reçu)" in capsys.readouterr().out

    forged = dict(ORIGINALS, **{"capture.png": b"\x89PNG forged, with its own custody entry"})
    chosen, forged_head = members(forged)
    rebuilt = build(chosen, forged_head)
    assert run(tmp_path, rebuilt) == 0
    capsys.readouterr()
    assert run(tmp_path, rebuilt, "--receipt", str(receipt), "--lang", "en") == 1
    output = capsys.readouterr().out
    assert "FAIL (receipt): entry #4 does not match the receipt: the log was rewritten" in output


def test_an_earlier_receipt_is_found_in_a_longer_log(
    tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    entries, _ = chain(ORIGINALS)
    earlier = tmp_path / "earlier.txt"
    earlier.write_text(receipt_text(VAULT, head_of(entries[:2])), "utf-8")
    assert run(tmp_path, bundle, "--receipt", str(earlier)) == 0
    assert "Le reçu (2 entrées) se retrouve" in capsys.readouterr().out
    later = tmp_path / "later.txt"
    later.write_text(receipt_text(VAULT, Head(9, "e" * 64, T0)), "utf-8")
    assert run(tmp_path, bundle, "--receipt", str(later)) == 1
    assert "le journal a été raccourci ou remplacé" in capsys.readouterr().out
    other = tmp_path / "other.txt"
    other.write_text(receipt_text("another-vault", head_of(entries)), "utf-8")
    assert run(tmp_path, bundle, "--receipt", str(other)) == 1
    assert "le reçu concerne un autre coffre" in capsys.readouterr().out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_flipped_byte_in_any_file_of_the_bundle_fails(bundle: bytes, choice: st.DataObject) -> None:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        info = choice.draw(st.sampled_from([i for i in archive.infolist() if i.file_size]))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(bundle)
    data[start + choice.draw(st.integers(0, info.compress_size - 1))] ^= 1 << choice.draw(st.integers(0, 7))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.zip"
        path.write_bytes(bytes(data))
        report = verify_bundle.verify(str(path))
    assert report.failed


# -- input that cannot be checked ----------------------------------------------------------------


def _without(name: str) -> Callable[[bytes], bytes]:
    def make(bundle: bytes) -> bytes:
        files = contents(bundle)
        del files[name]
        return zipped(files)

    return make


def _newer_manifest(bundle: bytes) -> bytes:
    files = contents(bundle)
    edit_manifest(files, lambda manifest: manifest.update(version=2))
    resum(files)
    return zipped(files)


UNREADABLE: dict[str, Callable[[bytes], bytes]] = {
    "an empty file": lambda _: b"",
    "random bytes": lambda _: os.urandom(5000),
    "a text file": lambda _: "Ceci n’est pas un ZIP.\n".encode(),
    "a truncated zip": lambda bundle: bundle[: len(bundle) // 2],
    "an age-encrypted bundle": lambda bundle: pyrage.encrypt(
        bundle, [pyrage.x25519.Identity.generate().to_public()]
    ),
    "a zip without manifest.json": _without(MANIFEST),
    "a zip without SHA256SUMS": _without(SUMS),
    "a manifest of a newer format": _newer_manifest,
}


@pytest.mark.parametrize("name", UNREADABLE)
def test_what_cannot_be_checked_exits_2(
    name: str, tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, UNREADABLE[name](bundle)) == 2
    captured = capsys.readouterr()
    assert "PASS" not in captured.out and "Traceback" not in captured.err
    assert captured.err.strip()


@pytest.mark.parametrize(
    "arguments",
    [[], ["a.zip", "b.zip"], ["--nope", "a.zip"], ["a.zip", "--lang", "de"], ["/no/such/bundle.zip"], ["/"]],
)
def test_bad_arguments_and_missing_files_exit_2(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_bundle.main(arguments) == 2
    assert capsys.readouterr().err.strip()


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_bundle.main(["--help"]) == 0
    assert "Recours" in capsys.readouterr().out


def test_an_unreadable_receipt_exits_2(
    tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    receipt = tmp_path / "r.txt"
    receipt.write_text("pas un reçu", "utf-8")
    assert run(tmp_path, bundle, "--receipt", str(receipt)) == 2
    assert "reçu" in capsys.readouterr().err


def test_english_output(tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    files = contents(bundle)
    _removed(files)
    assert run(tmp_path, zipped(files), "--lang", "en") == 1
    output = capsys.readouterr().out
    assert re.search(
        r"^FAIL originals/\S+conversation\.txt: missing file, listed in SHA256SUMS \+ manifest\.json$",
        output,
        re.M,
    )
    assert "The bundle was changed or is incomplete" in output


# -- hostile archives ----------------------------------------------------------------------------


def _hostile(extra: Callable[[zipfile.ZipFile], None]) -> Callable[[bytes], bytes]:
    """The genuine bundle's files, then something hostile added."""

    def make(bundle: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in contents(bundle).items():
                archive.writestr(name, data)
            extra(archive)
        return out.getvalue()

    return make


def _entry(name: str, data: bytes = b"x", mode: int | None = None) -> Callable[[zipfile.ZipFile], None]:
    def add(archive: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(name)
        if mode is not None:
            info.create_system = 3
            info.external_attr = mode << 16
        archive.writestr(info, data)

    return add


def _entries(*adds: Callable[[zipfile.ZipFile], None]) -> Callable[[zipfile.ZipFile], None]:
    def add(archive: zipfile.ZipFile) -> None:
        for one in adds:
            one(archive)

    return add


def _duplicate(name: str) -> Callable[[zipfile.ZipFile], None]:
    def add(archive: zipfile.ZipFile) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns "Duplicate name": that is the point
            archive.writestr(name, b"second copy")

    return add


def _bomb(archive: zipfile.ZipFile) -> None:
    archive.writestr("originals/bomb.txt", bytes(8 << 20), compress_type=zipfile.ZIP_DEFLATED)


def _patch_central(index: int, change: Callable[[bytearray, int], None]) -> Callable[[bytes], bytes]:
    """Edit the central directory record of entry ``index`` in place."""

    def make(bundle: bytes) -> bytes:
        data = bytearray(bundle)
        positions = [m.start() for m in re.finditer(b"PK\x01\x02", bytes(data))]
        change(data, positions[index])
        return bytes(data)

    return make


def _encrypted_flag(data: bytearray, at: int) -> None:
    flags = struct.unpack_from("<H", data, at + 8)[0]
    struct.pack_into("<H", data, at + 8, flags | 0x1)


def _overlapping(data: bytearray, at: int) -> None:
    struct.pack_into("<L", data, at + 42, 0)  # second entry's local header offset := the first's


HOSTILE: dict[str, Callable[[bytes], bytes]] = {
    "a ../ traversal": _hostile(_entry("../evil.txt")),
    "a nested traversal": _hostile(_entry("originals/../../evil.txt")),
    "an absolute path": _hostile(_entry("/etc/cron.d/evil")),
    "a Windows drive": _hostile(_entry("C:/Windows/evil.txt")),
    "a backslash": _hostile(_entry("originals\\..\\evil.txt")),
    "a terminal escape in a name": _hostile(_entry("originals/\x1b[2Jclear.txt")),
    "a symlink": _hostile(_entry("originals/link", b"/etc/passwd", stat.S_IFLNK | 0o777)),
    "a FIFO": _hostile(_entry("originals/fifo", b"", stat.S_IFIFO | 0o644)),
    "a folder with content": _hostile(_entry("originals/folder/", b"hidden")),
    "a duplicate name": _hostile(_duplicate("dossier.pdf")),
    "a duplicate once case-folded": _hostile(_entry("DOSSIER.PDF")),
    "a duplicate once normalised": _hostile(
        _entries(_entry("originals/été.txt"), _entry(unicodedata.normalize("NFD", "originals/été.txt")))
    ),
    "a zip bomb ratio": _hostile(_bomb),
    "an encrypted entry": _patch_central(2, _encrypted_flag),
    "overlapping entries": _patch_central(1, _overlapping),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_archives_are_refused_without_a_traceback(
    name: str, tmp_path: Path, bundle: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, HOSTILE[name](bundle)) in (1, 2)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "\x1b" not in captured.out + captured.err
    assert "Le lot est intact" not in captured.out


# -- building: refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/abs.txt",
        "a/../b.txt",
        "../b.txt",
        "a//b.txt",
        "a/./b.txt",
        "a\\b.txt",
        "a/b.txt.",
        " a.txt",
        "con.txt",
        "originals/LPT1",
        "a:b.txt",
        "x\u202egnp.exe",
        "line\nbreak.txt",
        unicodedata.normalize("NFD", "été.txt"),
        "a" * 201,
        "manifest.json",
        "sha256sums",
        "verify_bundle.py",
    ],
)
def test_unsafe_member_paths_are_refused(path: str) -> None:
    with pytest.raises(BadInput):
        build([Member(path, "other", b"x")], Head(0, GENESIS, T0))


@pytest.mark.parametrize(
    "paths", [["a.txt", "A.TXT"], ["a", "a/b.txt"], ["Folder/x.txt", "folder"], ["été.txt", "ÉTÉ.txt"]]
)
def test_clashing_member_paths_are_refused(paths: list[str]) -> None:
    with pytest.raises(BadInput):
        build([Member(path, "other", b"x") for path in paths], Head(0, GENESIS, T0))


def test_a_writer_whose_bytes_differ_from_the_record_is_refused() -> None:
    good = b"original bytes"

    def member(write: Callable[[Any], object]) -> list[Member]:
        return [Member("originals/x.txt", "original", write, sha256=_sha(good), size=len(good))]

    head = Head(0, GENESIS, T0)
    assert build(member(lambda out: out.write(good)), head)
    for wrong in (b"original bytez", b"original byte", good + b"!"):
        with pytest.raises(ProblemFound):
            build(member(lambda out, wrong=wrong: out.write(wrong)), head)
    with pytest.raises(ProblemFound):
        build([Member("x.txt", "original", good, sha256="0" * 64)], head)
    with pytest.raises(ValueError, match="declared"):
        build([Member("x.txt", "original", lambda out: out.write(good))], head)


def test_a_custody_log_must_lead_to_the_head_and_be_intact() -> None:
    entries, _ = chain(ORIGINALS)
    log = custody_log_bytes(entries)
    assert log_head(log) == head_of(entries)
    with pytest.raises(ValueError, match="head"):
        build([Member(CUSTODY_LOG, "custody", log)], head_of(entries[:-1]))
    broken = list(entries)
    broken[1] = StoredEntry(2, {**entries[1].entry, "at": T0}, entries[1].prev_hash, entries[1].hash)
    with pytest.raises(ProblemFound):
        custody_log_bytes(broken)


def test_save_bundle_leaves_nothing_behind_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "lot.zip"
    target.write_bytes(b"the previous bundle")

    def failing(out: Any) -> None:
        out.write(b"partial plaintext")
        raise ProblemFound("Blob altéré.", "Altered blob.")

    bad = [Member("originals/x.bin", "original", failing, sha256="0" * 64, size=100)]
    for recipient in (None, X25519Recipient.of(Identity.generate())):
        with pytest.raises(ProblemFound):
            save_bundle(
                target,
                bad,
                vault_id=VAULT,
                generated_at=T0,
                custody=Head(0, GENESIS, T0),
                recipient=recipient,
            )
        assert target.read_bytes() == b"the previous bundle"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["lot.zip"]


def test_save_bundle_writes_a_private_file(tmp_path: Path) -> None:
    save_bundle(tmp_path / "lot.zip", [], vault_id=VAULT, generated_at=T0, custody=Head(0, GENESIS, T0))
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "lot.zip").stat().st_mode) == 0o600
    assert verify_bundle.main([str(tmp_path / "lot.zip")]) == 0


# -- encryption ----------------------------------------------------------------------------------


def test_an_encrypted_bundle_opens_with_the_recipients_age_key(tmp_path: Path, bundle: bytes) -> None:
    identity = pyrage.x25519.Identity.generate()
    recipient = X25519Recipient.parse(str(identity.to_public()))
    chosen, head = members()
    save_bundle(
        tmp_path / "lot.zip.age",
        chosen,
        vault_id=VAULT,
        generated_at=head.time,
        custody=head,
        recipient=recipient,
    )
    encrypted = (tmp_path / "lot.zip.age").read_bytes()
    assert encrypted.startswith(b"age-encryption.org/v1\n-> X25519 ")
    assert pyrage.decrypt(encrypted, [identity]) == bundle
    assert verify_bundle.main([str(tmp_path / "lot.zip.age")]) == 2  # says: decrypt it first


def test_an_encrypted_bundle_opens_with_the_passphrase(tmp_path: Path, bundle: bytes) -> None:
    chosen, head = members()
    recipient = PassphraseRecipient("cheval agrafe batterie correcte")
    save_bundle(
        tmp_path / "lot.zip.age",
        chosen,
        vault_id=VAULT,
        generated_at=head.time,
        custody=head,
        recipient=recipient,
    )
    encrypted = (tmp_path / "lot.zip.age").read_bytes()
    assert re.match(rb"age-encryption.org/v1\n-> scrypt [A-Za-z0-9+/]{22} 18\n", encrypted)
    assert pyrage.passphrase.decrypt(encrypted, "cheval agrafe batterie correcte") == bundle
    with pytest.raises(pyrage.DecryptError):
        pyrage.passphrase.decrypt(encrypted, "autre chose")


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5])
def test_the_push_encryptor_matches_age_at_chunk_boundaries(size: int) -> None:
    identity = Identity.generate()
    data = os.urandom(size)
    out = io.BytesIO()
    writer = AgeWriter(out.write, X25519Recipient.of(identity))
    position = 0
    for piece in (1, 7, CHUNK - 3, CHUNK, 2 * CHUNK + 1):
        writer.write(data[position : position + piece])
        position += piece
    writer.write(data[position:])
    writer.close()
    reference = pyrage.x25519.Identity.from_str(identity.to_age_string())
    assert pyrage.decrypt(out.getvalue(), [reference]) == data
    ours = io.BytesIO()
    decrypt_stream(io.BytesIO(out.getvalue()), ours.write, identity)
    assert ours.getvalue() == data


@pytest.mark.parametrize(
    "text",
    ["", "age1", "AGE-SECRET-KEY-1XYZ", "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"],
)
def test_a_bad_public_key_is_refused(text: str) -> None:
    with pytest.raises(BadInput):
        X25519Recipient.parse(text)


def test_an_empty_passphrase_is_refused() -> None:
    with pytest.raises(BadInput):
        PassphraseRecipient("")


# -- properties ----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_safe_component_always_gives_a_safe_name(name: str) -> None:
    safe = safe_component(name)
    assert path_problem(safe) is None
    assert path_problem(f"originals/{'f' * 32}-{safe}") is None


@st.composite
def bundle_members(draw: st.DrawFn) -> list[Member]:
    names = draw(st.lists(st.text(min_size=0, max_size=40), max_size=6))
    chosen = []
    for index, name in enumerate(names):
        data = draw(st.binary(max_size=3000))
        folder = draw(st.sampled_from(["originals", "originals/sous dossier", "copies"]))
        path = f"{folder}/{index:03d}-{safe_component(name)}"
        if draw(st.booleans()):
            chosen.append(Member(path, "original", data, item_id=str(index), name=name))
        else:
            chosen.append(
                Member(
                    path,
                    "redacted-copy",
                    lambda out, data=data: out.write(data),
                    sha256=_sha(data),
                    size=len(data),
                    source_sha256="d" * 64,
                    name=name,
                )
            )
    return chosen


@settings(max_examples=60, deadline=None)
@given(
    bundle_members(),
    st.sampled_from(["1975-01-01T00:00:00Z", T0, "2028-02-29T23:59:59", "2200-01-01T00:00:00+14:00"])
    | st.just("2026-03-29T02:30:01+02:00"),
)
def test_any_bundle_verifies_and_rebuilds_identically(chosen: list[Member], moment: str) -> None:
    head = Head(0, GENESIS, moment)
    first, manifest = bundle_bytes(
        chosen, vault_id=VAULT, generated_at=moment, custody=head, verifier_source=b"# v\n"
    )
    again, _ = bundle_bytes(
        reversed(chosen), vault_id=VAULT, generated_at=moment, custody=head, verifier_source=b"# v\n"
    )
    assert first == again
    assert {entry.path for entry in manifest.files} == {m.path for m in chosen} | {
        "VERIFIER.txt",
        "verify_bundle.py",
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.zip"
        path.write_bytes(first)
        report = verify_bundle.verify(str(path))
    assert not report.failed
    assert set(report.problems) == {m.path for m in chosen} | {"VERIFIER.txt", "verify_bundle.py", MANIFEST}
