"""Vérifie un lot de preuves Recours — verify a Recours evidence bundle.

Usage::

    python3 verify_bundle.py recours-bundle.zip [--lang en] [--receipt recu.txt]

This file depends on the Python standard library only (Python 3.8 or later) and on nothing
else of Recours: every bundle carries a copy, and a recipient (police, lawyer, association) can
run it without installing anything. Inside Recours, ``recours verify-bundle`` calls :func:`main`;
``python -m recours.verify_bundle`` works too.

It reads the ZIP without extracting it and refuses, before reading any content, an archive
that is not safe to read: absolute or ``..`` names, backslashes, control characters, links
or other special files, duplicate names (also once case-folded), encrypted entries,
overlapping entries, too many entries, or a compression ratio typical of a ZIP bomb.

Then, for every file: its SHA-256 against ``SHA256SUMS``; its SHA-256 and size against
``manifest.json``; files present but listed nowhere; files listed but missing; ``manifest.json``
itself listed in ``SHA256SUMS``. When the bundle holds the custody log (one RFC 8785 line per
entry), it recomputes the hash chain from the raw lines, checks that it ends at the manifest's
head, and that each item's manifest entry (hash, size, id, intake time, name, type) matches the
custody entry that recorded it. With ``--receipt``, it checks that the head of a receipt kept
outside the bundle is found in the log (``entrées`` / ``tête`` lines).

Without a receipt it cannot detect a bundle rebuilt consistently from scratch (originals,
custody log, manifest and sums all recomputed), nor an item left out of a selection.

Output: one line per file, ``PASS path`` or ``FAIL path: reason``, then a summary, in French
(``--lang en`` for English). Exit status: 0 every check passed, 1 something failed, 2 the
bundle could not be checked (not a ZIP, no manifest or sums, unsafe archive, bad arguments).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import stat
import sys
import unicodedata
import zipfile
from typing import IO

FORMAT = "recours-bundle"
VERSION = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
GENESIS = bytes(32)
MAX_ENTRIES = 100000
MAX_RATIO = 200  # deflate reaches about 1000:1 on zeros; text rarely exceeds 20:1
RATIO_FLOOR = 1 << 20  # small files may have any ratio
MAX_LISTING = 64 << 20  # manifest, sums and custody log are read into memory
MAX_RECEIPT = 1 << 20
BLOCK = 1 << 20
EXIT_OK, EXIT_FAIL, EXIT_CANNOT = 0, 1, 2

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SUMS_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
_DRIVE = re.compile(r"^[A-Za-z]:")
_RECEIPT_LINE = re.compile(r"^\s*(coffre|vault|entrées|entries|tête|head)\s*:\s*(\S+)\s*$", re.IGNORECASE)
# The manifest fields of an item, and the custody "add" record fields they must equal.
_RECORD_FIELDS = (
    ("sha256", "sha256"),
    ("size", "size"),
    ("item_id", "id"),
    ("intake_time", "added_at"),
    ("name", "name"),
    ("media_type", "mime"),
)

# Every message, French then English. Placeholders are filled with str.format.
MESSAGES = {
    "usage": (
        "Arguments incorrects : {detail}. Usage : python3 verify_bundle.py LOT.zip [--lang en] [--receipt RECU.txt]",
        "Bad arguments: {detail}. Usage: python3 verify_bundle.py BUNDLE.zip [--lang en] [--receipt RECEIPT.txt]",
    ),
    "no_file": ("Fichier introuvable : {path}.", "File not found: {path}."),
    "unreadable_file": ("Impossible de lire {path} : {detail}.", "Cannot read {path}: {detail}."),
    "age": (
        "Ce fichier est chiffré avec age. Déchiffrez-le d’abord (age -d -o lot.zip {path}), puis vérifiez le ZIP obtenu.",
        "This file is encrypted with age. Decrypt it first (age -d -o bundle.zip {path}), then check the ZIP.",
    ),
    "not_zip": (
        "Ce fichier n’est pas une archive ZIP lisible : ce n’est pas un lot de preuves Recours, ou il est endommagé.",
        "This file is not a readable ZIP archive: it is not a Recours evidence bundle, or it is damaged.",
    ),
    "unsafe": (
        "Archive refusée, sa lecture ne serait pas sûre : {detail}. Ce n’est pas un lot produit par Recours tel quel.",
        "Archive refused, reading it would not be safe: {detail}. It is not a bundle as Recours made it.",
    ),
    "bad_name": ("nom de fichier dangereux « {name} »", "dangerous file name “{name}”"),
    "special": ("{name} est un lien ou un fichier spécial", "{name} is a link or a special file"),
    "duplicate": ("{name} figure deux fois", "{name} appears twice"),
    "encrypted": ("{name} est chiffré dans le ZIP", "{name} is encrypted inside the ZIP"),
    "bomb": ("{name} se décompresse de façon démesurée", "{name} expands out of all proportion"),
    "overlap": ("des entrées se chevauchent ({name})", "entries overlap ({name})"),
    "too_many": ("plus de {count} fichiers", "more than {count} files"),
    "missing_listing": (
        "{name} est absent : ce n’est pas un lot de preuves Recours, ou il est incomplet.",
        "{name} is missing: this is not a Recours evidence bundle, or it is incomplete.",
    ),
    "unknown_format": (
        "manifest.json n’est pas celui d’un lot Recours de version {version} : mettez à jour ce programme.",
        "manifest.json is not that of a Recours bundle version {version}: update this program.",
    ),
    "receipt_unreadable": (
        "Le reçu {path} est illisible : il doit contenir les lignes « entrées : » et « tête : ».",
        "The receipt {path} cannot be read: it must hold the lines “entries:” and “head:”.",
    ),
    "receipt_no_log": (
        "Ce lot ne contient pas le journal de garde : le reçu ne peut être comparé qu’à la tête du manifeste, et elles n’ont pas le même nombre d’entrées.",
        "This bundle has no custody log: the receipt can only be compared with the manifest's head, and their entry counts differ.",
    ),
    "read_error": ("contenu illisible ou altéré ({detail})", "content unreadable or altered ({detail})"),
    "too_large": ("trop grand pour être lu ({size} octets)", "too large to read ({size} bytes)"),
    "not_in_sums": ("absent de SHA256SUMS", "not listed in SHA256SUMS"),
    "sums_differ": (
        "l’empreinte SHA-256 ne correspond pas à SHA256SUMS",
        "SHA-256 does not match SHA256SUMS",
    ),
    "not_in_manifest": ("absent de manifest.json", "not listed in manifest.json"),
    "manifest_hash": (
        "l’empreinte SHA-256 ne correspond pas à manifest.json",
        "SHA-256 does not match manifest.json",
    ),
    "manifest_size": (
        "la taille ({size} octets) ne correspond pas à manifest.json ({listed})",
        "size ({size} bytes) does not match manifest.json ({listed})",
    ),
    "missing": ("fichier manquant, listé dans {where}", "missing file, listed in {where}"),
    "sums_line": ("ligne {line} illisible", "line {line} unreadable"),
    "sums_twice": ("{name} y figure deux fois", "{name} is listed twice"),
    "sums_self": ("se liste lui-même", "lists itself"),
    "manifest_json": ("illisible ({detail})", "unreadable ({detail})"),
    "manifest_entry": ("entrée n° {index} mal formée", "entry #{index} is malformed"),
    "manifest_twice": ("{name} y figure deux fois", "{name} is listed twice"),
    "manifest_self": ("liste {name}, qui ne peut pas y figurer", "lists {name}, which cannot be in it"),
    "log_missing": (
        "le journal de garde {name} annoncé par manifest.json est absent",
        "the custody log {name} named in manifest.json is missing",
    ),
    "log_line": ("ligne {line} du journal illisible", "log line {line} unreadable"),
    "log_seq": (
        "l’entrée de la ligne {line} porte le n° {seq} : une entrée a été retirée ou déplacée",
        "the entry on line {line} has seq {seq}: an entry was removed or moved",
    ),
    "log_head": (
        "le journal aboutit à {count} entrées et à la tête {hash}, pas à celle de manifest.json ({listed_count} entrées, {listed_hash})",
        "the log leads to {count} entries and head {hash}, not to manifest.json's ({listed_count} entries, {listed_hash})",
    ),
    "log_time": (
        "l’heure de la dernière entrée ({time}) n’est pas celle de la tête dans manifest.json ({listed})",
        "the last entry's time ({time}) is not the head time in manifest.json ({listed})",
    ),
    "custody_absent": (
        "l’entrée n° {seq} du journal de garde n’existe pas",
        "custody entry #{seq} does not exist",
    ),
    "custody_field": (
        "ne correspond pas à l’entrée n° {seq} du journal de garde ({field})",
        "does not match custody entry #{seq} ({field})",
    ),
    "receipt_vault": (
        "le reçu concerne un autre coffre ({vault})",
        "the receipt is for another vault ({vault})",
    ),
    "receipt_short": (
        "le journal du lot a {count} entrées, le reçu en atteste {receipt} : le journal a été raccourci ou remplacé",
        "the bundle's log has {count} entries, the receipt attests {receipt}: the log was cut or replaced",
    ),
    "receipt_hash": (
        "l’entrée n° {count} ne correspond pas au reçu : le journal a été réécrit",
        "entry #{count} does not match the receipt: the log was rewritten",
    ),
    "receipt_label": ("(reçu)", "(receipt)"),
    "summary": (
        "Résultat : {passed} fichier(s) conforme(s), {failed} en échec, sur {total}.",
        "Result: {passed} file(s) passed, {failed} failed, out of {total}.",
    ),
    "head": (
        "Journal de garde : {count} entrées, tête {hash} ({time}). Comparez-la au reçu conservé hors du coffre.",
        "Custody log: {count} entries, head {hash} ({time}). Compare it with the receipt kept outside the vault.",
    ),
    "receipt_ok": (
        "Le reçu ({count} entrées) se retrouve dans le journal de garde du lot.",
        "The receipt ({count} entries) is found in the bundle's custody log.",
    ),
    "verdict_pass": (
        "Le lot est intact : aucun fichier n’a changé.",
        "The bundle is intact: no file has changed.",
    ),
    "verdict_fail": (
        "Le lot a été modifié ou est incomplet : ne vous fiez pas aux fichiers en échec.",
        "The bundle was changed or is incomplete: do not rely on the files that failed.",
    ),
}


def _say(lang: str, key: str, **values: object) -> str:
    french, english = MESSAGES[key]
    return (english if lang == "en" else french).format(**values)


class CannotCheck(Exception):
    """The bundle cannot be checked at all (exit 2); ``key`` and ``values`` name the message."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class Report:
    """Per-file problems (message key and values), in the order they were found."""

    def __init__(self) -> None:
        self.problems: dict[str, list[tuple[str, dict[str, object]]]] = {}
        self.head: dict[str, object] | None = None
        self.receipt: list[tuple[str, dict[str, object]]] | None = None
        self.receipt_count = 0

    def file(self, path: str) -> None:
        self.problems.setdefault(path, [])

    def fail(self, path: str, key: str, /, **values: object) -> None:
        self.problems.setdefault(path, []).append((key, values))

    @property
    def failed(self) -> bool:
        return any(self.problems.values()) or bool(self.receipt)


# -- reading the archive safely ------------------------------------------------------------------


def _shown(name: str) -> str:
    """A name safe to print: control and format characters escaped (no terminal escapes)."""
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
        else char
        for char in name
    )


def _name_unsafe(raw: str) -> bool:
    if not raw or "\x00" in raw or "\\" in raw or raw.startswith("/") or _DRIVE.match(raw):
        return True
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in raw):
        return True
    parts = raw[:-1].split("/") if raw.endswith("/") else raw.split("/")
    return any(part in ("", ".", "..") for part in parts)


def _safe_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's files (folders skipped), or :class:`CannotCheck` if it is not safe to read."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise CannotCheck("unsafe", reason=("too_many", {"count": MAX_ENTRIES}))
    seen: set[str] = set()
    for info in infos:
        name = _shown(info.orig_filename)
        if _name_unsafe(info.orig_filename) or info.filename != info.orig_filename:
            raise CannotCheck("unsafe", reason=("bad_name", {"name": name}))
        mode = info.external_attr >> 16
        special = info.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR)
        if special or (info.is_dir() and info.file_size):
            raise CannotCheck("unsafe", reason=("special", {"name": name}))
        if info.flag_bits & 0x1:
            raise CannotCheck("unsafe", reason=("encrypted", {"name": name}))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise CannotCheck("unsafe", reason=("bomb", {"name": name}))
        key = unicodedata.normalize("NFC", info.filename.rstrip("/")).casefold()
        if key in seen:
            raise CannotCheck("unsafe", reason=("duplicate", {"name": name}))
        seen.add(key)
    # Entries sharing bytes are how non-recursive ZIP bombs amplify (Fifield, WOOT 2019).
    ordered = sorted(infos, key=lambda info: info.header_offset)
    end_of_data = getattr(archive, "start_dir", None)
    for index, info in enumerate(ordered):
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        end = info.header_offset + 30 + len(info.orig_filename.encode(encoding)) + info.compress_size
        following = ordered[index + 1].header_offset if index + 1 < len(ordered) else end_of_data
        if following is not None and end > following:
            raise CannotCheck("unsafe", reason=("overlap", {"name": _shown(info.orig_filename)}))
    return [info for info in infos if not info.is_dir()]


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool) -> tuple[str, int, bytes | None]:
    """SHA-256, size and (if ``keep``) the bytes of one member, read in blocks."""
    if keep and info.file_size > MAX_LISTING:
        raise _TooLarge(info.file_size)
    digest = hashlib.sha256()
    size = 0
    kept = []
    with archive.open(info) as member:
        while True:
            block = member.read(BLOCK)
            if not block:
                break
            digest.update(block)
            size += len(block)
            if keep:
                if size > MAX_LISTING:
                    raise _TooLarge(size)
                kept.append(block)
    return digest.hexdigest(), size, b"".join(kept) if keep else None


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


# -- the listings --------------------------------------------------------------------------------


def _parse_sums(data: bytes, report: Report) -> dict[str, str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        report.fail(SUMS, "manifest_json", detail="UTF-8")
        return {}
    sums: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        line = line[:-1] if line.endswith("\r") else line
        if not line:
            continue
        match = _SUMS_LINE.match(line)
        if not match:
            report.fail(SUMS, "sums_line", line=number)
            continue
        name = match.group(2)
        if name in sums:
            report.fail(SUMS, "sums_twice", name=_shown(name))
        elif name == SUMS:
            report.fail(SUMS, "sums_self")
        else:
            sums[name] = match.group(1).lower()
    return sums


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate key " + key)
        result[key] = value
    return result


def _reject_constant(name: str) -> object:
    raise ValueError("not JSON: " + name)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Manifest:
    """What the verifier needs from ``manifest.json``: files by path, custody head, vault id."""

    def __init__(
        self, files: dict[str, dict[str, object]], head: dict[str, object], vault_id: object
    ) -> None:
        self.files = files
        self.head = head
        self.vault_id = vault_id


def _parse_manifest(data: bytes, report: Report) -> Manifest | None:
    """The manifest's checked content; None if it cannot be read at all."""
    try:
        document = json.loads(
            data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except (ValueError, RecursionError) as exc:
        report.fail(MANIFEST, "manifest_json", detail=_shown(str(exc))[:120])
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        report.fail(MANIFEST, "manifest_json", detail="format")
        return None
    if document.get("version") != VERSION:
        raise CannotCheck("unknown_format", version=VERSION)
    files: dict[str, dict[str, object]] = {}
    listed = document.get("files")
    for index, entry in enumerate(listed if isinstance(listed, list) else [], start=1):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("sha256"), str)
            and _HEX64.match(entry["sha256"])
            and _is_int(entry.get("size"))
            and entry["size"] >= 0
            and (entry.get("custody_seq") is None or _is_int(entry.get("custody_seq")))
        ):
            report.fail(MANIFEST, "manifest_entry", index=index)
            continue
        path = entry["path"]
        if path in files:
            report.fail(MANIFEST, "manifest_twice", name=_shown(path))
        elif path in (MANIFEST, SUMS):
            report.fail(MANIFEST, "manifest_self", name=path)
        else:
            files[path] = entry
    if not isinstance(listed, list):
        report.fail(MANIFEST, "manifest_json", detail="files")
    custody = document.get("custody")
    head: dict[str, object] = {}
    if (
        isinstance(custody, dict)
        and _is_int(custody.get("count"))
        and isinstance(custody.get("hash"), str)
        and isinstance(custody.get("time"), str)
        and (custody.get("log") is None or isinstance(custody.get("log"), str))
    ):
        head = custody
    else:
        report.fail(MANIFEST, "manifest_json", detail="custody")
    return Manifest(files, head, document.get("vault_id"))


# -- the custody log -----------------------------------------------------------------------------


def _check_log(
    data: bytes, log_name: str, head: dict[str, object], report: Report
) -> list[tuple[str, dict[str, object] | None]]:
    """The chain recomputed from the raw lines: (hash, entry) per position."""
    chain: list[tuple[str, dict[str, object] | None]] = []
    previous = GENESIS
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        previous = hashlib.sha256(previous + line).digest()
        try:
            entry = json.loads(line.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            entry = None
        if not isinstance(entry, dict):
            report.fail(log_name, "log_line", line=number)
            entry = None
        elif entry.get("seq") != number:
            report.fail(log_name, "log_seq", line=number, seq=_shown(str(entry.get("seq")))[:20])
        chain.append((previous.hex(), entry))
    count = len(chain)
    final = chain[-1][0] if chain else GENESIS.hex()
    if (count, final) != (head.get("count"), head.get("hash")):
        report.fail(
            log_name,
            "log_head",
            count=count,
            hash=final,
            listed_count=head.get("count"),
            listed_hash=_shown(str(head.get("hash")))[:64],
        )
    last = chain[-1][1] if chain else None
    last_time = str(last.get("at", "")) if last else ""
    if last_time != head.get("time"):
        report.fail(
            log_name, "log_time", time=_shown(last_time)[:40], listed=_shown(str(head.get("time")))[:40]
        )
    return chain


def _check_items(
    files: dict[str, dict[str, object]],
    chain: list[tuple[str, dict[str, object] | None]],
    present: set[str],
    report: Report,
) -> None:
    """Each item's manifest entry against the custody entry that recorded it."""
    for path, entry in files.items():
        seq = entry.get("custody_seq")
        if seq is None or path not in present:
            continue
        assert isinstance(seq, int)  # noqa: S101 - checked by _parse_manifest
        custody = chain[seq - 1][1] if 1 <= seq <= len(chain) else None
        record = custody.get("record") if custody else None
        if not isinstance(record, dict):
            report.fail(path, "custody_absent", seq=seq)
            continue
        differing = [
            field
            for field, recorded in _RECORD_FIELDS
            if entry.get(field) is not None and record.get(recorded) != entry.get(field)
        ]
        if differing:
            report.fail(path, "custody_field", seq=seq, field=", ".join(differing))


def _parse_receipt(text: str) -> tuple[str | None, int, str] | None:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        match = _RECEIPT_LINE.match(line)
        if match:
            label = match.group(1).lower()
            label = {"vault": "coffre", "entries": "entrées", "head": "tête"}.get(label, label)
            fields[label] = match.group(2)
    try:
        count = int(fields["entrées"])
        head = fields["tête"].lower()
    except (KeyError, ValueError):
        return None
    if count < 0 or not _HEX64.match(head):
        return None
    return fields.get("coffre"), count, head


def _check_receipt(
    receipt: tuple[str | None, int, str],
    vault_id: object,
    chain: list[tuple[str, dict[str, object] | None]] | None,
    head: dict[str, object],
    report: Report,
) -> None:
    vault, count, head_hash = receipt
    report.receipt = []
    report.receipt_count = count
    if vault is not None and vault != vault_id:
        report.receipt.append(("receipt_vault", {"vault": _shown(vault)[:64]}))
        return
    if chain is None:
        if count != head.get("count"):
            raise CannotCheck("receipt_no_log")
        if head_hash != head.get("hash"):
            report.receipt.append(("receipt_hash", {"count": count}))
        return
    if count > len(chain):
        report.receipt.append(("receipt_short", {"count": len(chain), "receipt": count}))
    elif (chain[count - 1][0] if count else GENESIS.hex()) != head_hash:
        report.receipt.append(("receipt_hash", {"count": count}))


# -- the whole check -----------------------------------------------------------------------------


def verify(path: str, receipt: tuple[str | None, int, str] | None = None) -> Report:
    """Check the bundle at ``path``; raises :class:`CannotCheck` when it cannot be checked."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(21)
    except FileNotFoundError:
        raise CannotCheck("no_file", path=_shown(path)) from None
    except OSError as exc:
        raise CannotCheck(
            "unreadable_file", path=_shown(path), detail=_shown(exc.strerror or str(exc))
        ) from None
    if start == b"age-encryption.org/v1" or start.startswith(b"-----BEGIN AGE"):
        raise CannotCheck("age", path=_shown(path))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise CannotCheck("not_zip") from None
    with archive:
        return _verify_archive(archive, receipt)


def _verify_archive(archive: zipfile.ZipFile, receipt: tuple[str | None, int, str] | None) -> Report:
    entries = {info.filename: info for info in _safe_entries(archive)}
    for name in (MANIFEST, SUMS):
        if name not in entries:
            raise CannotCheck("missing_listing", name=name)
    report = Report()
    actual: dict[str, tuple[str, int]] = {}
    kept: dict[str, bytes] = {}

    def read(name: str, keep: bool) -> None:
        try:
            sha, size, data = _read(archive, entries[name], keep)
        except _TooLarge as exc:
            report.fail(name, "too_large", size=exc.size)
        except Exception as exc:  # a damaged member is a failed file, never a traceback
            # zipfile's own messages are English and quote the name: the kind of failure is enough.
            report.fail(name, "read_error", detail="CRC-32" if "CRC" in str(exc) else type(exc).__name__)
        else:
            actual[name] = (sha, size)
            if data is not None:
                kept[name] = data

    read(MANIFEST, keep=True)
    read(SUMS, keep=True)
    # An unreadable listing fails; every other file is still read and checked against the other.
    manifest = _parse_manifest(kept[MANIFEST], report) if MANIFEST in kept else None
    sums = _parse_sums(kept[SUMS], report) if SUMS in kept else {}
    files = manifest.files if manifest else {}
    head = manifest.head if manifest else {}
    log_name = head.get("log")
    for name in sorted(entries):
        if name not in (MANIFEST, SUMS):
            read(name, keep=name == log_name)

    for name in sorted(entries):
        if name == SUMS:
            continue
        report.file(name)
        if name not in actual:
            continue
        sha, size = actual[name]
        if name not in sums:
            report.fail(name, "not_in_sums")
        elif sums[name] != sha:
            report.fail(name, "sums_differ")
        if name == MANIFEST or manifest is None:
            continue
        listed = files.get(name)
        if listed is None:
            report.fail(name, "not_in_manifest")
            continue
        if listed["sha256"] != sha:
            report.fail(name, "manifest_hash")
        if listed["size"] != size:
            report.fail(name, "manifest_size", size=size, listed=listed["size"])
    for name in sorted(set(sums) | set(files)):
        if name not in entries:
            where = " + ".join(
                label for label, listing in ((SUMS, sums), (MANIFEST, files)) if name in listing
            )
            report.fail(name, "missing", where=where)

    chain = None
    if isinstance(log_name, str):
        if log_name not in entries:
            report.fail(MANIFEST, "log_missing", name=_shown(log_name))
        elif log_name in kept:
            chain = _check_log(kept[log_name], log_name, head, report)
            _check_items(files, chain, set(actual), report)
    if head:
        report.head = head
    if receipt is not None:
        _check_receipt(receipt, manifest.vault_id if manifest else None, chain, head, report)
    return report


# -- command line --------------------------------------------------------------------------------


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def _print(text: str, stream: IO[str] | None = None) -> None:
    """Print, falling back to escapes on a console that cannot show every character."""
    target = stream if stream is not None else sys.stdout
    try:
        print(text, file=target)
    except UnicodeEncodeError:
        encoding = getattr(target, "encoding", None) or "ascii"
        print(text.encode(encoding, "backslashreplace").decode(encoding, "replace"), file=target)


def main(argv: list[str] | None = None) -> int:
    """Run the check; returns the exit status (0 pass, 1 fail, 2 could not check)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    lang = "en" if "--lang=en" in arguments or _follows(arguments, "--lang", "en") else "fr"
    parser = _Parser(
        prog="verify_bundle.py",
        description="Vérifie un lot de preuves Recours. / Verify a Recours evidence bundle.",
    )
    parser.add_argument("bundle", help="le lot (fichier .zip) / the bundle (.zip file)")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr", help="langue / language")
    parser.add_argument("--receipt", help="reçu du journal de garde / custody log receipt (text file)")
    try:
        options = parser.parse_args(arguments)
    except _UsageError as exc:
        _print(_say(lang, "usage", detail=_shown(str(exc))), sys.stderr)
        return EXIT_CANNOT
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_CANNOT
    lang = options.lang
    try:
        receipt = _load_receipt(options.receipt) if options.receipt else None
        report = verify(options.bundle, receipt)
    except CannotCheck as exc:
        values = dict(exc.values)
        reason = values.pop("reason", None)
        if isinstance(reason, tuple):
            values["detail"] = _say(lang, reason[0], **reason[1])
        _print(_say(lang, exc.key, **values), sys.stderr)
        return EXIT_CANNOT
    except RecursionError:
        _print(_say(lang, "not_zip"), sys.stderr)
        return EXIT_CANNOT
    return _show(report, lang)


def _follows(arguments: list[str], option: str, value: str) -> bool:
    return any(arguments[i] == option and arguments[i + 1] == value for i in range(len(arguments) - 1))


def _load_receipt(path: str) -> tuple[str | None, int, str]:
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_RECEIPT).decode("utf-8")
    except FileNotFoundError:
        raise CannotCheck("no_file", path=_shown(path)) from None
    except (OSError, UnicodeDecodeError):
        raise CannotCheck("receipt_unreadable", path=_shown(path)) from None
    receipt = _parse_receipt(text)
    if receipt is None:
        raise CannotCheck("receipt_unreadable", path=_shown(path))
    return receipt


def _show(report: Report, lang: str) -> int:
    passed = failed = 0
    for name in sorted(report.problems):
        problems = report.problems[name]
        if problems:
            failed += 1
            reasons = "; ".join(_say(lang, key, **values) for key, values in problems)
            _print(f"FAIL {_shown(name)}: {reasons}")
        else:
            passed += 1
            _print(f"PASS {_shown(name)}")
    if report.receipt:
        reasons = "; ".join(_say(lang, key, **values) for key, values in report.receipt)
        _print(f"FAIL {_say(lang, 'receipt_label')}: {reasons}")
    elif report.receipt is not None:
        _print(f"PASS {_say(lang, 'receipt_label')}")
    _print("")
    _print(_say(lang, "summary", passed=passed, failed=failed, total=passed + failed))
    if report.head is not None:
        head = report.head
        _print(
            _say(
                lang,
                "head",
                count=head.get("count"),
                hash=_shown(str(head.get("hash")))[:64],
                time=_shown(str(head.get("time")))[:40],
            )
        )
    if report.receipt == []:
        _print(_say(lang, "receipt_ok", count=report.receipt_count))
    _print(_say(lang, "verdict_fail" if report.failed else "verdict_pass"))
    return EXIT_FAIL if report.failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
