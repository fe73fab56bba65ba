"""Vault use cases shared by the CLI and the web app: create, open, add, list, export, delete,
verify, receipt, repair, change the passphrase, quick delete."""

from __future__ import annotations

import io
import json
import queue
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from recours.domain.chat import records
from recours.domain.custody import (
    Head,
    StoredEntry,
    chain_problems,
    head_of,
    parse_receipt,
    receipt_problems,
    receipt_text,
)
from recours.domain.describe import describe_head
from recours.domain.evidence import (
    DERIVED_KINDS,
    IncidentRecord,
    ItemKind,
    ItemRecord,
    Problem,
    StoredItem,
    clean_tags,
    highlight_problems,
    import_problems,
    incident_problems,
    metadata_digest,
    near_duplicates,
    orphan_blobs,
    replay,
    replay_all,
    state_problems,
)
from recours.domain.sniff import sniff
from recours.errors import BadInput, RefusedEvidence, VaultDamaged
from recours.services.ports import EvidenceStore, PageCapturer, VaultFactory

_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: easy to read aloud
MIN_PASSPHRASE = 8


def new_item_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# -- creating and opening ---------------------------------------------------------------


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BadInput(
            f"La phrase secrète doit faire au moins {MIN_PASSPHRASE} caractères. Une phrase de "
            "quatre ou cinq mots que vous retenez facilement est idéale.",
            f"The passphrase must be at least {MIN_PASSPHRASE} characters long. A sentence of four or "
            "five words you remember easily is ideal.",
        )


def create(
    vaults: VaultFactory, path: Path, passphrase: str, now: datetime, *, minor: bool = False
) -> tuple[EvidenceStore, str]:
    """A new vault and its recovery key (to show once). ``minor``: the person harmed is a minor."""
    check_new_passphrase(passphrase)
    vault, recovery = vaults.create(path, passphrase, now=iso(now))
    if minor:
        vault.append_event({"action": "profile", "at": iso(now), "person_is_minor": True})
    return vault, recovery


def person_is_minor(vault: EvidenceStore) -> bool:
    return minor_in(vault.custody("profile"))


def minor_in(entries: Iterable[StoredEntry]) -> bool:
    """Whether the vault's profile entry says the person is a minor."""
    return any(e.entry.get("person_is_minor") for e in entries if e.entry.get("action") == "profile")


def change_passphrase(vault: EvidenceStore, old: str, new: str, now: datetime) -> None:
    check_new_passphrase(new)
    vault.change_passphrase(old, new, iso(now))


def panic(vaults: VaultFactory, path: Path) -> None:
    """Quick delete: crypto-erase the whole vault (its keys first, then its files)."""
    vaults.erase(path)


# -- adding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    record: ItemRecord
    tags: list[str]


def _tags(tags: Iterable[str]) -> list[str]:
    try:
        return clean_tags(tags)
    except ValueError as exc:
        raise BadInput(
            f"Étiquette non valable : « {exc.args[0]} ». Utilisez des mots courts (lettres, chiffres, - _ . : @ #).",
            f"Invalid tag: “{exc.args[0]}”. Use short words (letters, digits, - _ . : @ #).",
        ) from None


def refuse_minor_intimate_image(vault: EvidenceStore, *, intimate: bool, minor: bool) -> None:
    """Never keep intimate images of a minor, even as evidence (ARCHITECTURE.md, security baseline).

    Holding or sending them can itself be an offence (code pénal art. 227-23); the 3018,
    Pharos and the police have the legal means to handle them.
    """
    if intimate and (minor or person_is_minor(vault)):
        raise RefusedEvidence(
            "Recours ne garde pas les images intimes d’un mineur, même comme preuve : les détenir ou les "
            "envoyer peut être une infraction. Rien n’a été enregistré. Notez seulement où elles se "
            "trouvent (adresse, date, compte) et contactez le 3018 (appel gratuit, 7 j/7, 9 h–23 h) ou "
            "signalez-les sur internet-signalement.gouv.fr (Pharos). En danger : appelez le 17.",
            "Recours does not keep intimate images of a minor, even as evidence: holding or sending them "
            "can be an offence. Nothing was saved. Only note where they are (address, date, account) and "
            "contact the 3018 (free call, 7 days a week, 9 am–11 pm) or report them on "
            "internet-signalement.gouv.fr (Pharos). In danger: call 17.",
        )


def add_stream(
    vault: EvidenceStore,
    source: BinaryIO,
    *,
    kind: ItemKind,
    name: str,
    now: datetime,
    tags: Sequence[str] = (),
    item_metadata: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Added:
    """Encrypt, hash and record one item. Returns only once it is durable (acknowledged).

    For an image, its metadata (EXIF, GPS, size) is read from the encrypted copy in memory and
    recorded with it, and an EXIF-free thumbnail is stored as a derived item that names the
    original's SHA-256.
    """
    clean = _tags(tags)
    blob = vault.write_blob(source, progress)
    details = dict(item_metadata or {})
    mime = sniff(blob.head)
    thumbnail = None
    details.update(describe_head(mime, blob.head))
    if kind == "file" and mime.startswith("image/"):
        described, thumbnail = vault.describe_image(blob.blob, blob.size)
        details.update(described)
    record = ItemRecord(
        id=new_item_id(),
        kind=kind,
        name=name,
        size=blob.size,
        sha256=blob.sha256,
        blob=blob.blob,
        blob_size=blob.blob_size,
        mime=mime,
        added_at=iso(now),
        metadata_sha256=metadata_digest(details),
    )
    vault.add_item(record, clean, details, iso(now))
    if thumbnail is not None:
        _add_derived(vault, record, thumbnail, "thumbnail", now)
    return Added(record, clean)


def _add_derived(
    vault: EvidenceStore, original: ItemRecord, content: bytes, kind: ItemKind, now: datetime
) -> None:
    blob = vault.write_blob(io.BytesIO(content))
    details = {"derived_from": original.id, "original_sha256": original.sha256}
    record = ItemRecord(
        id=new_item_id(),
        kind=kind,
        name=f"{kind} — {original.name}",
        size=blob.size,
        sha256=blob.sha256,
        blob=blob.blob,
        blob_size=blob.blob_size,
        mime=sniff(blob.head),
        added_at=iso(now),
        metadata_sha256=metadata_digest(details),
    )
    vault.add_item(record, [], details, iso(now))


def similar_images(views: Sequence[ItemView]) -> dict[str, list[str]]:
    """Item id → the other items that show nearly the same picture (PDQ), for grouping."""
    hashes = {v.record.id: str(v.metadata["pdq"]) for v in views if v.metadata.get("pdq_quality", 0) >= 50}
    similar: dict[str, list[str]] = {}
    for group in near_duplicates(hashes):
        for item_id in group:
            similar[item_id] = [other for other in group if other != item_id]
    return similar


def thumbnails(vault: EvidenceStore, originals: Sequence[str] | None = None) -> dict[str, str]:
    """Original item id → id of its thumbnail, for the live items (all, or ``originals``) that
    have one."""
    return vault.derived_items("thumbnail", originals)


def live_items_by_sha256(vault: EvidenceStore) -> dict[str, str]:
    """SHA-256 of the original content → id of the oldest live item holding it (derived items
    such as thumbnails left out), to link to a file the vault already keeps instead of adding it
    twice."""
    found: dict[str, str] = {}
    for stored, _, deleted_at in vault.items():
        if deleted_at is None and stored.record.kind not in DERIVED_KINDS:
            found.setdefault(stored.record.sha256, stored.record.id)
    return found


def add_file(
    vault: EvidenceStore,
    path: Path,
    now: datetime,
    *,
    tags: Sequence[str] = (),
    note: str | None = None,
    incident: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Added:
    details: dict[str, Any] = {}
    if note:
        details["note"] = note
    if incident:
        details["incident"] = incident
    try:
        stat = path.stat()
        details["file_modified_at"] = (
            datetime.fromtimestamp(stat.st_mtime).astimezone().isoformat(timespec="seconds")
        )
        source = path.open("rb")
    except FileNotFoundError:
        raise BadInput(f"Fichier introuvable : {path}", f"File not found: {path}") from None
    except IsADirectoryError:
        raise BadInput(
            f"C’est un dossier, pas un fichier : {path}", f"This is a folder, not a file: {path}"
        ) from None
    except OSError as exc:
        raise BadInput(
            f"Impossible de lire {path} : {exc.strerror}", f"Cannot read {path}: {exc.strerror}"
        ) from None
    with source:
        return add_stream(
            vault,
            source,
            kind="file",
            name=path.name,
            now=now,
            tags=tags,
            item_metadata=details,
            progress=progress,
        )


def add_note(vault: EvidenceStore, note: str, now: datetime, *, tags: Sequence[str] = ()) -> Added:
    if not note.strip():
        raise BadInput("La note est vide.", "The note is empty.")

    return add_stream(
        vault,
        io.BytesIO(note.encode("utf-8")),
        kind="note",
        name=f"Note du {now.strftime('%Y-%m-%d %H:%M')}",
        now=now,
        tags=tags,
    )


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def add_url(vault: EvidenceStore, url: str, now: datetime, *, tags: Sequence[str] = ()) -> Added:
    """Record an address with the moment it was recorded (the page itself is not fetched)."""
    url = url.strip()
    if not _URL.match(url) or len(url) > 8192:
        raise BadInput(
            f"Adresse non valable : « {url[:200]} ». Elle doit commencer par http:// ou https://.",
            f"Invalid address: “{url[:200]}”. It must start with http:// or https://.",
        )

    content = json.dumps({"url": url, "recorded_at": iso(now)}, ensure_ascii=False, indent=2).encode()
    return add_stream(
        vault, io.BytesIO(content), kind="url", name=url, now=now, tags=tags, item_metadata={"url": url}
    )


def add_capture(
    vault: EvidenceStore, url: str, now: datetime, capture: PageCapturer, *, tags: Sequence[str] = ()
) -> list[Added]:
    """Record the address, then capture the live page: a full-page PNG, an MHTML archive and a
    HAR of the network exchanges, each an item naming the address item it belongs to."""
    address = add_url(vault, url, now, tags=tags)
    page = capture(url.strip())
    common = {
        "captured_url": page.requested_url,
        "final_url": page.final_url,
        "http_status": page.status,
        "captured_at": iso(now),
        "address_item": address.record.id,
    }
    added = [address]
    for suffix, content, role in (
        ("png", page.png, "screenshot"),
        ("mhtml", page.mhtml, "mhtml"),
        ("har", page.har, "har"),
    ):
        added.append(
            add_stream(
                vault,
                io.BytesIO(content),
                kind="file",
                name=f"capture-{address.record.id}.{suffix}",
                now=now,
                tags=tags,
                item_metadata={**common, "capture": role},
            )
        )
    return added


# -- the incident journal ------------------------------------------------------------------


def add_incident(
    vault: EvidenceStore,
    now: datetime,
    *,
    occurred_at: datetime,
    description: str,
    platform: str = "",
    author_handle: str = "",
    author_url: str = "",
    witnesses: Sequence[str] = (),
    items: Sequence[str] = (),
) -> IncidentRecord:
    """Record what happened. Like items, an entry is never edited afterwards: add another."""
    if not description.strip():
        raise BadInput("Décrivez ce qui s’est passé.", "Describe what happened.")
    if author_url and not _URL.match(author_url.strip()):
        raise BadInput(
            "L’adresse du profil doit commencer par http:// ou https://.",
            "The profile address must start with http:// or https://.",
        )
    live = {v.record.id for v in list_items(vault)}
    unknown = [i for i in items if i not in live]
    if unknown:
        raise BadInput(
            "Élément(s) inconnu(s) : " + ", ".join(unknown) + ". « recours list » donne les identifiants.",
            "Unknown item(s): " + ", ".join(unknown) + ". “recours list” gives the ids.",
        )
    record = IncidentRecord(
        id="i-" + new_item_id(),
        occurred_at=iso(occurred_at),
        platform=platform.strip(),
        author_handle=author_handle.strip(),
        author_url=author_url.strip(),
        description=description.strip(),
        witnesses=tuple(w.strip() for w in witnesses if w.strip()),
        items=tuple(dict.fromkeys(items)),
        recorded_at=iso(now),
    )
    vault.add_incident(record)
    return record


def list_incidents(vault: EvidenceStore) -> list[IncidentRecord]:
    """The journal, in the order things happened."""
    return sorted(vault.incidents(), key=lambda r: (r.occurred_at, r.recorded_at))


def get_incident(vault: EvidenceStore, incident_id: str) -> IncidentRecord:
    for record in vault.incidents():
        if record.id == incident_id.strip().lower():
            return record
    raise BadInput(
        f"Aucun incident « {incident_id} ». « recours incident list » donne la liste.",
        f"No incident “{incident_id}”. “recours incident list” lists them.",
    )


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    item: StoredItem
    metadata: dict[str, Any]

    @property
    def record(self) -> ItemRecord:
        return self.item.record


def list_items(
    vault: EvidenceStore,
    *,
    text: str = "",
    tag: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[ItemView]:
    """Live items, oldest first, filtered by words (name, note, URL), tag and intake date."""
    words = text.casefold().split()
    views = []
    for stored, details, deleted_at in vault.items():
        if deleted_at is not None or stored.record.kind in DERIVED_KINDS:
            continue
        record = stored.record
        haystack = " ".join(
            [record.name, record.kind, record.mime, str(details.get("note", "")), *stored.tags]
        ).casefold()
        if words and not all(w in haystack for w in words):
            continue
        if tag and tag.casefold() not in (t.casefold() for t in stored.tags):
            continue
        day = record.added_at[:10]
        if (since and day < since) or (until and day > until):
            continue
        views.append(ItemView(stored, details))
    return views


@dataclass(frozen=True)
class ItemPage:
    """One page of the list of live items: ``number`` of ``pages``, of ``total`` items."""

    views: list[ItemView]
    total: int
    number: int
    pages: int

    @classmethod
    def of(cls, views: Sequence[ItemView], number: int, size: int) -> ItemPage:
        """Page ``number`` of a list already read (the last one if there are fewer)."""
        pages = page_count(len(views), size)
        number = min(max(number, 1), pages)
        return cls(list(views[(number - 1) * size : number * size]), len(views), number, pages)


def page_count(total: int, size: int) -> int:
    """How many pages of ``size`` items ``total`` items fill (one, empty, when there are none)."""
    return max(1, -(-total // size))


def page_of_items(vault: EvidenceStore, number: int, size: int) -> ItemPage:
    """Page ``number`` (from 1; the last one if there are fewer) of the live items, ``size`` a
    page, oldest first: as ``list_items()`` cut into pages, read page by page from the vault."""
    number = max(number, 1)
    total, rows = vault.live_items(kinds_left_out=DERIVED_KINDS, offset=(number - 1) * size, limit=size)
    pages = page_count(total, size)
    if number > pages:  # past the end (items deleted since the link was made): the last page
        number = pages
        _, rows = vault.live_items(kinds_left_out=DERIVED_KINDS, offset=(number - 1) * size, limit=size)
    return ItemPage([ItemView(stored, details) for stored, details in rows], total, number, pages)


def live_tags(vault: EvidenceStore) -> list[str]:
    """The tags of the live items, in alphabetical order (case ignored)."""
    return sorted(vault.live_tags(kinds_left_out=DERIVED_KINDS), key=str.casefold)


def get_item(vault: EvidenceStore, item_id: str) -> ItemView:
    stored, details = vault.item(item_id.strip().lower())
    return ItemView(stored, details)


def read_text_preview(vault: EvidenceStore, view: ItemView, limit: int = 20000) -> str | None:
    """The beginning of a text item, as plain text (never interpreted as HTML)."""
    if not view.record.mime.startswith(("text/", "message/")) and view.record.kind not in ("note", "url"):
        return None

    buffer = io.BytesIO()
    vault.read_blob(view.record.blob, buffer)
    return buffer.getvalue()[:limit].decode("utf-8", errors="replace")


def export_item(vault: EvidenceStore, item_id: str, out: Path) -> Path:
    """Decrypt an item to ``out``; nothing is left behind if it fails authentication (research B.3)."""
    view = get_item(vault, item_id)
    target = out / view.record.name if out.is_dir() else out
    if target.exists():
        raise BadInput(
            f"Le fichier {target} existe déjà : choisissez un autre nom.",
            f"The file {target} already exists: choose another name.",
        )
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        with open(partial, "xb") as handle:
            size, digest = vault.read_blob(view.record.blob, handle)
        if (size, digest) != (view.record.size, view.record.sha256):
            raise VaultDamaged(
                "L’élément ne correspond plus à son empreinte : il n’a pas été exporté.",
                "The item no longer matches its hash: it was not exported.",
            )
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BadInput(
            f"Impossible d’écrire {target} : {exc.strerror}", f"Cannot write {target}: {exc.strerror}"
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def set_tags(vault: EvidenceStore, item_id: str, tags: Sequence[str], now: datetime) -> list[str]:
    clean = _tags(tags)
    vault.set_tags(item_id, clean, iso(now))
    return clean


def delete_item(vault: EvidenceStore, item_id: str, now: datetime) -> None:
    """Erase an item's content, and what was derived from it; the deletions stay in the log."""
    derived = [
        s.record.id for s, d, gone in vault.items() if gone is None and d.get("derived_from") == item_id
    ]
    for identifier in [item_id, *derived]:
        blob = vault.mark_deleted(identifier, iso(now))
        vault.erase_blob(blob)


# -- verification ---------------------------------------------------------------------------


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    items_checked: int = 0
    bytes_read: int = 0
    head: Head | None = None

    @property
    def clean(self) -> bool:
        return not self.problems


def verify(
    vault: EvidenceStore,
    *,
    read_data: bool = False,
    receipt: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    report = Report()
    findings: list[Problem] = []
    damaged = vault.integrity_check()
    if damaged:
        report.problems.append(
            Problem(
                "La base du coffre (index.db) a été altérée : " + "; ".join(damaged[:3]),
                "The vault database (index.db) was altered: " + "; ".join(damaged[:3]),
            )
        )
        return report
    entries = vault.custody()
    report.head = head_of(entries)
    findings += [Problem(p.fr, p.en) for p in chain_problems(entries)]
    replayed = replay_all(entries)
    expected = replayed.items
    findings += replayed.problems
    findings += incident_problems(replayed.incidents, vault.incidents())
    findings += import_problems(entries, _stored_imports(vault))
    findings += highlight_problems(entries, vault.highlights())
    rows = vault.items()
    findings += state_problems(expected, [s for s, _, _ in rows], vault.blob_sizes())
    for stored, details, _ in rows:
        if metadata_digest(details) != stored.record.metadata_sha256:
            findings.append(
                Problem(
                    f"Les métadonnées de l’élément {stored.record.id} ont été modifiées.",
                    f"The metadata of item {stored.record.id} was changed.",
                )
            )
    if receipt is not None:
        parsed = parse_receipt(receipt)
        if parsed is None:
            raise BadInput("Ce fichier n’est pas un reçu Recours.", "This file is not a Recours receipt.")
        findings += [Problem(p.fr, p.en) for p in receipt_problems(entries, vault.vault_id, parsed)]
    if read_data:
        findings += _read_all(vault, expected, report, progress)
    for leftover in vault.temp_leftovers():
        findings.append(
            Problem(
                f"Fichier temporaire restant d’une opération interrompue ({leftover.name}), sans danger. "
                "« recours repair » le supprime.",
                f"Temporary file left by an interrupted operation ({leftover.name}), harmless. "
                "“recours repair” removes it.",
                notice=True,
            )
        )
    report.problems += [f for f in findings if not f.notice]
    report.notices += [f for f in findings if f.notice]
    return report


def _stored_imports(vault: EvidenceStore) -> dict[str, tuple[int, str]]:
    """Each import's stored records: how many (-1 if unreadable) and the SHA-256 of the document."""
    stored = {}
    for item_id, document in vault.chat_documents().items():
        try:
            count = records.count(records.decode(document))
        except ValueError:
            count = -1
        stored[item_id] = (count, records.digest(document))
    return stored


def _read_all(
    vault: EvidenceStore, expected: dict[str, Any], report: Report, progress: Callable[[int], None] | None
) -> list[Problem]:

    findings = []
    present = vault.blob_sizes()
    for item_id, state in expected.items():
        record: ItemRecord = state.record
        if state.deleted or record.blob not in present:
            continue
        report.items_checked += 1
        try:
            size, sha = vault.read_blob(record.blob)
        except VaultDamaged:
            findings.append(
                Problem(
                    f"L’élément {item_id} (« {record.name} ») ne peut plus être déchiffré : il a été altéré ou remplacé.",
                    f"Item {item_id} (“{record.name}”) can no longer be decrypted: it was altered or replaced.",
                )
            )
            continue
        report.bytes_read += size
        if progress:
            progress(record.blob_size)
        if (size, sha) != (record.size, record.sha256):
            findings.append(
                Problem(
                    f"Le contenu de l’élément {item_id} (« {record.name} ») ne correspond plus à son empreinte SHA-256.",
                    f"The content of item {item_id} (“{record.name}”) no longer matches its SHA-256.",
                )
            )
    return findings


def receipt(vault: EvidenceStore) -> str:
    return receipt_text(vault.vault_id, head_of(vault.custody()))


def repair(vault: EvidenceStore) -> int:
    """Remove orphan blobs and temporary leftovers only; never touches an item. Returns the count."""
    expected, _ = replay(vault.custody())
    orphans = orphan_blobs(expected, vault.blob_sizes())
    for blob in orphans:
        vault.erase_blob(blob)
    leftovers = vault.temp_leftovers()
    for leftover in leftovers:
        vault.remove_temp(leftover)
    return len(orphans) + len(leftovers)


def iter_item(vault: EvidenceStore, item_id: str, chunk: int = 1 << 20) -> tuple[ItemView, Iterator[bytes]]:
    """An item's original bytes as a stream (for a download), decrypted on a worker thread.

    A blob that fails authentication stops the stream with :class:`VaultDamaged`: the
    download then fails visibly instead of handing over a silently shortened file.
    """
    view = get_item(vault, item_id)
    pipe: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)

    class _Sink:
        def write(self, data: bytes) -> None:
            for start in range(0, len(data), chunk):
                pipe.put(data[start : start + chunk])

    def work() -> None:
        try:
            vault.read_blob(view.record.blob, _Sink())  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the reader below
            pipe.put(exc)
            return
        pipe.put(None)

    def stream() -> Iterator[bytes]:
        worker = threading.Thread(target=work, name="recours-download", daemon=True)
        worker.start()
        while (item := pipe.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    return view, stream()
