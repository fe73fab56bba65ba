"""The verifiable evidence bundle: manifest, ``SHA256SUMS``, ``VERIFIER.txt``, reproducible ZIP.

Layout of a bundle (one ZIP file)::

    SHA256SUMS         GNU coreutils format, every file but itself (``sha256sum -c``)
    VERIFIER.txt       how to check it with standard tools, French then English
    custody.jsonl      the custody log, one RFC 8785 line per entry (if the service adds it)
    dossier.pdf        the dossier (if the service adds it)
    manifest.json      RFC 8785 canonical JSON: every file but itself and SHA256SUMS
    originals/…        the originals, byte for byte as stored
    verify_bundle.py   the stdlib-only verifier (``python3 verify_bundle.py bundle.zip``)

The manifest gives, for each file, its SHA-256, size and role; for an item of the vault also
its id, intake time, original name, media type and the ``seq`` of the custody entry that
recorded it. ``custody`` carries the receipt head (count, hash, time) and the path of the log.

The custody log file is ``JCS(entry) + "\\n"`` per entry: the vault hashes exactly these bytes
(``hash_n = SHA-256(hash_{n-1} || JCS(entry_n))``, ``domain/custody.py``), so a verifier can
recompute the chain from the raw lines with SHA-256 alone, without a JCS implementation.

What verification proves and what it cannot detect
--------------------------------------------------
``verify_bundle`` detects any change to a file's bytes, a file removed, added or renamed, a
changed line of ``SHA256SUMS``, an edited manifest (its hash is in ``SHA256SUMS``), and — when
the custody log is in the bundle — a manifest and ``SHA256SUMS`` rewritten together to match a
replaced original (the original no longer matches its custody entry), or a custody entry
edited (the chain no longer ends at the manifest's head).

It cannot detect, from the bundle alone:

* a bundle rebuilt from scratch, consistently: replaced originals, a rewritten custody log, a
  new head, manifest and sums recomputed. Only a receipt kept outside the bundle (the head
  printed or mailed at an earlier time) reveals it: ``verify_bundle --receipt``;
* an item left out: a bundle may hold a selection of the vault;
* anything before intake: a hash proves that a file has not changed since it was recorded,
  not that a platform showed it, nor who wrote it.

Reproducibility: the same members and options give the same bytes. The ZIP is written by the
standard ``zipfile`` module with sorted names, one fixed timestamp (``zip_date_time`` of the
``generated_at`` passed in), fixed Unix attributes (regular file, 0644), no compression (deflate
output depends on the zlib build: zlib and zlib-ng give different bytes for the same input;
originals are mostly compressed media anyway) and data descriptors on every entry
(APPNOTE 6.3.10 §4.3.9), so that the bytes do not depend on whether the target can seek and
the bundle can be streamed straight into an encryptor or an HTTP response. Readers that use the
central directory (Info-ZIP ``unzip``, Python, 7-Zip, .NET's ``ZipArchive`` behind PowerShell's
``Expand-Archive``) read it; a streaming-only reader (Java's ``ZipInputStream``) cannot read
stored entries with descriptors.

Pure: no I/O of its own and no clock. Content is given as bytes, or as a *writer* — a function
that writes the member's bytes into the stream it is handed (``lambda out: vault.read_blob(blob,
out)``) — so that large originals pass through one at a time, never all in memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, BinaryIO, Literal, Protocol, cast, get_args

import rfc8785

from recours.domain.custody import GENESIS, Head, StoredEntry, canonical, chain_problems
from recours.errors import BadInput, InvalidDateTime, ProblemFound

BUNDLE_FORMAT = "recours-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
INSTRUCTIONS = "VERIFIER.txt"
VERIFIER = "verify_bundle.py"
CUSTODY_LOG = "custody.jsonl"
ORIGINALS = "originals"
RESERVED = (MANIFEST, SUMS, INSTRUCTIONS, VERIFIER)

Role = Literal[
    "original",  # an evidence item's original, byte for byte as stored
    "redacted-copy",  # a copy with parts masked; ``source_sha256`` names its original
    "derived",  # another artefact made from an original (thumbnail, parsed records)
    "dossier",  # the dossier PDF
    "letter",  # a drafted letter
    "custody",  # the custody log (at most one)
    "receipt",  # the receipt text
    "instructions",  # VERIFIER.txt
    "verifier",  # verify_bundle.py
    "other",
]
ROLES: frozenset[str] = frozenset(get_args(Role))

# A writer puts a member's bytes into the stream it is given, e.g. ``vault.read_blob(blob, out)``.
Writer = Callable[[BinaryIO], object]

# Extraction must work on Windows too: its forbidden characters, and names it treats as devices
# (learn.microsoft.com "Naming Files, Paths, and Namespaces").
_FORBIDDEN_CHARS = frozenset('<>:"\\|?*')
_DEVICE = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)
# Control, format (bidi overrides that disguise an extension), surrogate, private use, separators.
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
MAX_COMPONENT_BYTES = 160  # well under the 255 bytes of ext4 and the 255 UTF-16 units of NTFS
SAFE_NAME_BYTES = 100  # what safe_component keeps: room for an item id in front
MAX_PATH_CHARS = 200  # fits Windows' 260-character MAX_PATH once extracted to a short folder
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class Sink(Protocol):
    """Where the ZIP bytes go: an open file, a ``BytesIO``, an age encryptor, a response."""

    def write(self, data: bytes, /) -> object: ...


@dataclass(frozen=True)
class Member:
    """One file to put in the bundle, with what the manifest says about it.

    ``content`` is the bytes, or a :data:`Writer`. With a writer, ``sha256`` and ``size`` are
    required: the manifest is written before the content (names are sorted) and they are what
    the custody log recorded at intake; the bytes actually written are checked against them.
    With bytes they are computed (and checked if given too).
    """

    path: str
    role: Role
    content: bytes | Writer
    sha256: str | None = None
    size: int | None = None
    item_id: str | None = None
    intake_time: str | None = None  # the item record's ``added_at``
    custody_seq: int | None = None  # ``seq`` of the custody entry that recorded this item
    name: str | None = None  # the item record's original ``name``
    media_type: str | None = None  # the item record's sniffed ``mime``
    source_sha256: str | None = None  # for a redacted copy or derived file: its original's hash


@dataclass(frozen=True)
class FileEntry:
    """One file as the manifest lists it."""

    path: str
    role: str
    sha256: str
    size: int
    item_id: str | None = None
    intake_time: str | None = None
    custody_seq: int | None = None
    name: str | None = None
    media_type: str | None = None
    source_sha256: str | None = None

    def as_json(self) -> dict[str, Any]:
        # Every key always present (null when unknown): one schema for every entry.
        return {
            "path": self.path,
            "role": self.role,
            "sha256": self.sha256,
            "size": self.size,
            "item_id": self.item_id,
            "intake_time": self.intake_time,
            "custody_seq": self.custody_seq,
            "name": self.name,
            "media_type": self.media_type,
            "source_sha256": self.source_sha256,
        }


@dataclass(frozen=True)
class Manifest:
    vault_id: str
    generated_at: str
    custody: Head
    custody_log: str | None
    files: tuple[FileEntry, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": BUNDLE_FORMAT,
            "version": BUNDLE_VERSION,
            "vault_id": self.vault_id,
            "generated_at": self.generated_at,
            "custody": {
                "count": self.custody.count,
                "hash": self.custody.hash,
                "time": self.custody.time,
                "log": self.custody_log,
            },
            "files": [entry.as_json() for entry in self.files],
        }

    def canonical(self) -> bytes:
        """RFC 8785 bytes, exactly what ``manifest.json`` holds (no trailing newline), so that
        its SHA-256 can be timestamped or quoted on its own."""
        return bytes(rfc8785.dumps(self.as_json()))


# -- member names ------------------------------------------------------------------------------


def path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a file in a bundle (in English, for developers), or None.

    Safe means: relative, ``/``-separated, no ``.`` or ``..`` component, NFC, no control or
    format character, nothing Windows refuses to extract (``<>:"\\|?*``, device names, a
    trailing dot or space), short enough for Windows paths.
    """
    if not path:
        return "empty path"
    if len(path) > MAX_PATH_CHARS:
        return "path too long"
    if unicodedata.normalize("NFC", path) != path:
        return "not in Unicode NFC"
    for char in path:
        if char in _FORBIDDEN_CHARS or unicodedata.category(char) in _BAD_CATEGORIES:
            return f"forbidden character U+{ord(char):04X}"
    for component in path.split("/"):
        if not component:
            return "absolute path or empty component"
        if component in (".", ".."):
            return "'.' or '..' component"
        if len(component.encode("utf-8")) > MAX_COMPONENT_BYTES:
            return "component too long"
        if component != component.strip(" ") or component.endswith("."):
            return "component starts or ends with a space, or ends with a dot"
        if _DEVICE.match(component):
            return "Windows device name"
    return None


def safe_component(name: str, fallback: str = "fichier") -> str:
    """A file name that :func:`path_problem` accepts, as close to ``name`` as possible.

    Harassers choose file names (ARCHITECTURE.md, security baseline): separators, control and
    bidi characters become ``_``, the name is cut keeping its
    extension (``SAFE_NAME_BYTES``). Suggested member path for an item: ``originals/<item id>-<safe name>``.
    """
    text = unicodedata.normalize("NFC", name)
    chars = []
    for char in text:
        category = unicodedata.category(char)
        if char in _FORBIDDEN_CHARS or char == "/" or category in _BAD_CATEGORIES:
            chars.append("_")
        elif category.startswith("Z"):
            chars.append(" ")
        else:
            chars.append(char)
    # Leading dots would hide the file on Unix; Windows drops trailing dots and spaces.
    text = "".join(chars).strip(" ").lstrip(".").rstrip(". ")
    stem, dot, extension = text.rpartition(".")
    if not dot or not stem or len(extension.encode("utf-8")) > 16:
        stem, dot, extension = text, "", ""
    budget = SAFE_NAME_BYTES - len((dot + extension).encode("utf-8"))
    stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(". ")
    text = unicodedata.normalize("NFC", stem + dot + extension) if stem else ""
    if _DEVICE.match(text):
        text = "_" + text
    return fallback if not text or path_problem(text) else text


def item_path(item_id: str, name: str, folder: str = ORIGINALS) -> str:
    """The suggested path of an item in the bundle: ``originals/<item id>-<safe name>``.

    The id keeps paths unique whatever the names; the name keeps them readable.
    """
    return f"{folder}/{safe_component(item_id)}-{safe_component(name)}"


def _check_paths(paths: Sequence[str]) -> None:
    """Every path safe, unique once case-folded, and no file where another needs a folder."""
    seen: dict[str, str] = {}
    for path in paths:
        problem = path_problem(path)
        if problem:
            raise BadInput(
                f"Nom de fichier refusé dans le lot : {path!r} ({problem}).",
                f"File name refused in the bundle: {path!r} ({problem}).",
            )
        key = path.casefold()
        if key in seen:
            raise BadInput(
                f"Deux fichiers du lot auraient le même nom : {seen[key]!r} et {path!r}.",
                f"Two files of the bundle would have the same name: {seen[key]!r} and {path!r}.",
            )
        seen[key] = path
    for path in paths:
        parts = path.casefold().split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in seen:
                raise BadInput(
                    f"{seen[folder]!r} est à la fois un fichier et un dossier dans le lot.",
                    f"{seen[folder]!r} is both a file and a folder in the bundle.",
                )


# -- texts ---------------------------------------------------------------------------------------


def sums_text(hashes: Mapping[str, str]) -> str:
    """``SHA256SUMS`` in GNU coreutils format: ``<hex>  <path>`` (two spaces: text mode), sorted.

    No name needs coreutils' backslash escaping: safe paths hold no ``\\`` and no newline.
    """
    return "".join(f"{hashes[path]}  {path}\n" for path in sorted(hashes))


def verifier_text(
    vault_id: str, generated_at: str, custody: Head, custody_log: str | None, dossier: str | None
) -> str:
    """``VERIFIER.txt``: what the bundle is and how to check it, French first, then English.

    ``custody_log`` and ``dossier``: their paths in the bundle, or None when not included.
    """
    parts_fr, parts_en = "", ""
    if dossier:
        parts_fr += f"- le dossier : {dossier} ;\n"
        parts_en += f"- the dossier: {dossier};\n"
    if custody_log:
        parts_fr += f"- le journal de garde, qui retrace chaque ajout au coffre : {custody_log} ;\n"
        parts_en += f"- the custody log, which records every addition to the vault: {custody_log};\n"
    return f"""\
LOT DE PREUVES RECOURS — COMMENT LE VÉRIFIER
============================================

Ce fichier ZIP a été produit par Recours. Ce logiciel aide les personnes victimes de
cyberharcèlement à conserver leurs preuves. Le lot contient :

- originals/ : les fichiers d’origine, octet pour octet, tels qu’ils ont été enregistrés ;
{parts_fr}- manifest.json : pour chaque fichier, son empreinte SHA-256, sa taille, sa date
  d’enregistrement et l’entrée du journal de garde qui l’a enregistré ;
- SHA256SUMS : l’empreinte SHA-256 de chaque fichier, au format standard ;
- verify_bundle.py : un petit programme de vérification (Python 3.8 ou plus récent).

Coffre : {vault_id}
Journal de garde : {custody.count} entrées
Tête du journal : {custody.hash}
Heure de la tête : {custody.time}
Lot produit le : {generated_at}

1. Vérifier avec les outils de votre ordinateur
   Décompressez le ZIP dans un dossier. Ouvrez un terminal dans ce dossier. Tapez :
   - Linux :    sha256sum -c SHA256SUMS
   - macOS :    shasum -a 256 -c SHA256SUMS
   - Windows (PowerShell) :
       Get-Content -Encoding UTF8 SHA256SUMS | ForEach-Object {{
         $h, $f = $_ -split '  ', 2
         if ((Get-FileHash -Algorithm SHA256 -LiteralPath $f).Hash -eq $h) {{ "OK     $f" }} else {{ "ÉCHEC  $f" }}
       }}
   Chaque fichier doit être « OK ». Un seul échec suffit : ce fichier a été modifié.

2. Vérifier avec le programme joint (sans décompresser)
       python3 verify_bundle.py recours-bundle.zip
   Sous Windows : py verify_bundle.py recours-bundle.zip
   Remplacez recours-bundle.zip par le nom du fichier reçu. Le programme affiche PASS ou
   FAIL pour chaque fichier. Il contrôle aussi que chaque original correspond à son entrée
   du journal de garde, et que le journal aboutit bien à la tête indiquée ci-dessus.
   Avec le reçu du journal conservé à part : ajoutez --receipt recu.txt

Ce que la vérification prouve
   Si tout est conforme, aucun fichier n’a changé depuis sa création dans ce lot. Chaque
   original est identique, octet pour octet, au fichier enregistré dans le coffre à la date
   indiquée. Changer un seul octet change l’empreinte SHA-256.

Ce qu’elle ne prouve pas
   - Qu’une plateforme a réellement publié ou affiché ce contenu, ni qui en est l’auteur.
     Une empreinte prouve que rien n’a changé depuis l’enregistrement. Elle ne prouve pas
     l’origine.
   - Ce qui s’est passé avant l’enregistrement dans le coffre.
   - Que le lot contient tout le coffre : il peut n’en contenir qu’une sélection.
   - Qu’une personne n’a pas refait tout le lot (fichiers, journal, empreintes). Seul un
     reçu du journal conservé ailleurs (papier, courriel envoyé plus tôt) permet de
     l’exclure : sa tête doit se retrouver dans ce journal.
   Le programme verify_bundle.py voyage avec les preuves : une personne qui modifierait le
   lot pourrait le modifier aussi. La méthode 1 n’utilise que les outils de votre ordinateur.


RECOURS EVIDENCE BUNDLE — HOW TO CHECK IT
=========================================

This ZIP file was produced by Recours, software that helps people facing cyberharassment
keep their evidence. It contains:

- originals/: the original files, byte for byte as they were recorded;
{parts_en}- manifest.json: for each file, its SHA-256, size, intake time and the custody entry
  that recorded it;
- SHA256SUMS: the SHA-256 of every file, in the standard format;
- verify_bundle.py: a small verification program (Python 3.8 or later).

Vault: {vault_id}
Custody log: {custody.count} entries
Log head: {custody.hash}
Head time: {custody.time}
Bundle made at: {generated_at}

1. Check with your computer's own tools
   Unzip the bundle into a folder, open a terminal in that folder and type:
   - Linux:    sha256sum -c SHA256SUMS
   - macOS:    shasum -a 256 -c SHA256SUMS
   - Windows (PowerShell):
       Get-Content -Encoding UTF8 SHA256SUMS | ForEach-Object {{
         $h, $f = $_ -split '  ', 2
         if ((Get-FileHash -Algorithm SHA256 -LiteralPath $f).Hash -eq $h) {{ "OK      $f" }} else {{ "FAILED  $f" }}
       }}
   Every file must be "OK". A single failure means that file was changed.

2. Check with the included program (no need to unzip)
       python3 verify_bundle.py recours-bundle.zip --lang en
   On Windows: py verify_bundle.py recours-bundle.zip --lang en
   Use the name of the file you received. It prints PASS or FAIL for each file, checks that
   each original matches its custody log entry and that the log ends at the head above.
   With the log receipt kept elsewhere: add --receipt receipt.txt

What the check proves
   If everything passes, no file changed since it was put in this bundle, and each original
   is byte for byte the file recorded in the vault at the time given. Changing one byte
   changes the SHA-256.

What it does not prove
   - That a platform really published or showed this content, or who wrote it. A hash
     proves that nothing changed since intake, not where the content came from.
   - Anything that happened before intake.
   - That the bundle holds the whole vault: it may hold a selection.
   - That nobody rebuilt the whole bundle (files, log, hashes). Only a log receipt kept
     elsewhere (on paper, in an e-mail sent earlier) rules that out: its head must be
     found in this log.
   verify_bundle.py travels with the evidence: whoever changed the bundle could change it
   too. Method 1 uses only your computer's tools.
"""


# -- the custody log -----------------------------------------------------------------------------


def custody_log_bytes(entries: Sequence[StoredEntry]) -> bytes:
    """The custody log file: ``JCS(entry) + "\\n"`` per entry, in order.

    Refuses a chain with a problem: a bundle must not present a broken log as evidence
    (``recours verify`` says what is wrong).
    """
    if chain_problems(entries):
        raise ProblemFound(
            "Le journal de garde du coffre est altéré : lancez « recours verify » avant de produire un lot.",
            "The vault's custody log is altered: run “recours verify” before making a bundle.",
        )
    return b"".join(canonical(stored.entry) + b"\n" for stored in entries)


def log_head(data: bytes) -> Head:
    """The head a custody log file leads to, recomputed from its raw lines."""
    previous = bytes.fromhex(GENESIS)
    count = 0
    last_at = ""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # the newline that ends the last entry
    for line in lines:
        previous = hashlib.sha256(previous + line).digest()
        count += 1
        entry = json.loads(line)
        last_at = str(entry.get("at", "")) if isinstance(entry, dict) else ""
    return Head(count=count, hash=previous.hex(), time=last_at)


# -- the ZIP -------------------------------------------------------------------------------------


def zip_date_time(moment: str) -> tuple[int, int, int, int, int, int]:
    """The MS-DOS date and time of every entry: the wall-clock time written in ``moment``.

    DOS time has no time zone and a 2-second step (APPNOTE §4.4.6); years outside 1980–2107
    cannot be written and are clamped.
    """
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError as exc:
        raise InvalidDateTime(
            f"Date du lot illisible : {moment!r}.", f"Unreadable bundle date: {moment!r}."
        ) from exc
    if parsed.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if parsed.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (
        parsed.year,
        parsed.month,
        parsed.day,
        parsed.hour,
        parsed.minute,
        parsed.second - parsed.second % 2,
    )


class _Forward:
    """Hides ``tell``/``seek`` of the target from ``zipfile``: it then writes data descriptors
    for every entry, whatever the target, so the bytes never depend on it."""

    def __init__(self, target: Sink) -> None:
        self.target = target

    def write(self, data: bytes) -> int:
        self.target.write(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing buffered here; the caller flushes its own target."""


class _Checked(io.RawIOBase):
    """What a writer writes into: hashed and counted on the way into the ZIP entry."""

    def __init__(self, entry: IO[bytes], path: str, sha256: str, size: int) -> None:
        super().__init__()
        self.entry = entry
        self.path = path
        self.expected = (sha256, size)
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.size += view.nbytes
        if self.size > self.expected[1]:
            raise self.mismatch()
        self.digest.update(view)
        self.entry.write(view)
        return view.nbytes

    def mismatch(self) -> ProblemFound:
        return ProblemFound(
            f"Le contenu de {self.path} ne correspond pas à l’empreinte enregistrée à son entrée dans le coffre. "
            "Lancez « recours verify --read-data ».",
            f"The content of {self.path} does not match the hash recorded when it entered the vault. "
            "Run “recours verify --read-data”.",
        )

    def finish(self) -> None:
        if (self.digest.hexdigest(), self.size) != self.expected:
            raise self.mismatch()


def _zip_info(path: str, when: tuple[int, int, int, int, int, int], size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=when)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, so that the mode below is read as Unix permissions
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.file_size = size  # zipfile decides ZIP64 from it before writing (APPNOTE §4.5.3)
    return info


def _entry(member: Member) -> FileEntry:
    if member.role not in ROLES:
        raise ValueError(f"unknown role {member.role!r}")
    if isinstance(member.content, bytes):
        sha256 = hashlib.sha256(member.content).hexdigest()
        size = len(member.content)
        if member.sha256 not in (None, sha256) or member.size not in (None, size):
            raise ProblemFound(
                f"Le contenu de {member.path} ne correspond pas à l’empreinte attendue.",
                f"The content of {member.path} does not match the expected hash.",
            )
    elif member.sha256 is None or member.size is None:
        raise ValueError(f"{member.path}: a writer needs the declared sha256 and size")
    else:
        sha256, size = member.sha256, member.size
    if not _HEX64.match(sha256) or size < 0:
        raise ValueError(f"{member.path}: bad sha256 or size")
    return FileEntry(
        path=member.path,
        role=member.role,
        sha256=sha256,
        size=size,
        item_id=member.item_id,
        intake_time=member.intake_time,
        custody_seq=member.custody_seq,
        name=member.name,
        media_type=member.media_type,
        source_sha256=member.source_sha256,
    )


def evidence_manifest(
    members: Iterable[Member], *, vault_id: str, generated_at: str, custody: Head
) -> Manifest:
    """The manifest of ``members`` alone, without the files the bundle adds: what the dossier
    PDF carries inside it (the bundle's own manifest then lists the PDF too). Reads no writer."""
    chosen = list(members)
    _check_paths([member.path for member in chosen])
    logs = [member.path for member in chosen if member.role == "custody"]
    entries = sorted((_entry(member) for member in chosen), key=lambda entry: entry.path)
    return Manifest(vault_id, generated_at, custody, logs[0] if logs else None, tuple(entries))


def build_bundle(
    members: Iterable[Member],
    *,
    vault_id: str,
    generated_at: str,
    custody: Head,
    verifier_source: bytes,
    target: Sink,
) -> Manifest:
    """Write the bundle's ZIP bytes to ``target``; returns its manifest.

    ``members``: the files chosen by the service (originals, dossier, custody log…), not the
    four the bundle adds itself (:data:`RESERVED`). ``generated_at``: ISO 8601; it also sets
    every ZIP timestamp, so pass a time taken from the vault state (the custody head time)
    for a byte-identical rebuild. ``custody``: the receipt head, ``head_of(vault.custody())``.
    ``verifier_source``: the bytes of ``verify_bundle.py`` (``adapters/bundle_files.py``).
    ``target``: anything with ``write(bytes)``; it need not seek.

    Raises :class:`BadInput` for an unsafe or clashing path, :class:`ProblemFound` when a
    writer's bytes do not match their declared hash and size (the ZIP written so far must
    then be discarded), ``ValueError`` for a programming error (no declared hash for a writer).
    """
    chosen = list(members)
    _check_paths([member.path for member in chosen] + list(RESERVED))
    logs = [member for member in chosen if member.role == "custody"]
    if len(logs) > 1:
        raise ValueError("at most one custody log per bundle")
    custody_log = logs[0].path if logs else None
    if logs and isinstance(logs[0].content, bytes) and log_head(logs[0].content) != custody:
        raise ValueError("the custody log does not lead to the given head")
    when = zip_date_time(generated_at)
    dossiers = sorted(member.path for member in chosen if member.role == "dossier")
    dossier = ", ".join(dossiers) if dossiers else None
    instructions = verifier_text(vault_id, generated_at, custody, custody_log, dossier).encode("utf-8")
    chosen += [
        Member(INSTRUCTIONS, "instructions", instructions),
        Member(VERIFIER, "verifier", verifier_source),
    ]
    entries = sorted((_entry(member) for member in chosen), key=lambda entry: entry.path)
    manifest = Manifest(vault_id, generated_at, custody, custody_log, tuple(entries))
    manifest_bytes = manifest.canonical()
    hashes = {entry.path: entry.sha256 for entry in entries}
    hashes[MANIFEST] = hashlib.sha256(manifest_bytes).hexdigest()
    contents: dict[str, bytes | Writer] = {member.path: member.content for member in chosen}
    contents[MANIFEST] = manifest_bytes
    contents[SUMS] = sums_text(hashes).encode("utf-8")
    sizes = {entry.path: entry.size for entry in entries}
    with zipfile.ZipFile(cast(BinaryIO, _Forward(target)), "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(contents):
            content = contents[path]
            if isinstance(content, bytes):
                archive.writestr(_zip_info(path, when, len(content)), content)
                continue
            with archive.open(_zip_info(path, when, sizes[path]), "w") as entry:
                checked = _Checked(entry, path, hashes[path], sizes[path])
                content(cast(BinaryIO, checked))
                checked.finish()
    return manifest


def bundle_bytes(
    members: Iterable[Member],
    *,
    vault_id: str,
    generated_at: str,
    custody: Head,
    verifier_source: bytes,
) -> tuple[bytes, Manifest]:
    """:func:`build_bundle` into memory: for small bundles and tests."""
    out = io.BytesIO()
    manifest = build_bundle(
        members,
        vault_id=vault_id,
        generated_at=generated_at,
        custody=custody,
        verifier_source=verifier_source,
        target=out,
    )
    return out.getvalue(), manifest
