"""The vault on disk: ``vault.toml`` (wrapped keys), ``index.db`` (SQLCipher), ``blobs/`` (age).

Layout (ARCHITECTURE.md)::

    <vault>/vault.toml      format, vault id, key slots (wrapped keys only)
    <vault>/index.db        SQLCipher database: items, tags, custody log
    <vault>/blobs/xx/<id>   age-encrypted originals, named by random ids
    <vault>/tmp/            staging for atomic writes (only ciphertext ever lands here)

Write order for an item (research B.9 D2): the blob is encrypted while streaming into
``tmp/`` (the SHA-256 of the original is computed in the same pass), fsynced, renamed into
``blobs/``, the folder fsynced; only then is the database row committed together with its
custody entry, in one transaction. A crash before the commit leaves an orphan blob,
never a row without its blob. Deletion commits first, then erases the blob.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import QueuePool
from sqlcipher3 import dbapi2 as sqlcipher

from recours.adapters import vault_keys as keys
from recours.adapters.age_format import SLICE, AgeError, Identity, decrypt_stream, encrypt_stream
from recours.adapters.storage import Storage, storage_failure
from recours.domain.custody import GENESIS, StoredEntry, canonical, entry_hash
from recours.domain.evidence import BlobWritten, IncidentRecord, ItemRecord, StoredItem
from recours.errors import (
    ItemNotFound,
    VaultDamaged,
    VaultExists,
    VaultNotFound,
    WrongPassphrase,
)

SCHEMA_VERSION = 1
KEY_FILE = "vault.toml"
DB_FILE = "index.db"
FAILURES_FILE = "unlock-failures"
LOCK_REQUEST = "lock-request"
# Images larger than this are kept but not described (decoding would take too much memory).
MAX_IMAGE_BYTES = 64 * 1024 * 1024
# Chunk read from the source while hashing and encrypting; age itself uses 64 KiB chunks.
CHUNK = 1024 * 1024

metadata = MetaData()
meta_table = Table(
    "meta", metadata, Column("key", String, primary_key=True), Column("value", Text, nullable=False)
)
items_table = Table(
    "items",
    metadata,
    Column("id", String, primary_key=True),
    Column("kind", String, nullable=False),
    Column("name", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String, nullable=False),
    Column("blob", String, nullable=False, unique=True),
    Column("blob_size", Integer, nullable=False),
    Column("mime", String, nullable=False),
    Column("added_at", String, nullable=False),
    Column("metadata", Text, nullable=False),
    Column("metadata_sha256", String, nullable=False),
    Column("tags", Text, nullable=False),
    Column("deleted_at", String, nullable=True),
)
incidents_table = Table(
    "incidents",
    metadata,
    Column("id", String, primary_key=True),
    Column("occurred_at", String, nullable=False),
    Column("platform", Text, nullable=False),
    Column("author_handle", Text, nullable=False),
    Column("author_url", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("witnesses", Text, nullable=False),
    Column("items", Text, nullable=False),
    Column("recorded_at", String, nullable=False),
)
# The records parsed from each imported export: one JSON document of columns per import
# (domain/chat/records.py); its SHA-256 is in the import's custody entry.
chat_table = Table(
    "chat_records",
    metadata,
    Column("import_item", String, primary_key=True),
    Column("records", Integer, nullable=False),
    Column("document", Text, nullable=False),
)
# Messages marked for the dossier (recours analyse --highlight); each change is in the custody log.
highlights_table = Table(
    "highlights",
    metadata,
    Column("import_item", String, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("note", Text, nullable=False),
    Column("at", String, nullable=False),
)
custody_table = Table(
    "custody",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("entry", Text, nullable=False),
    Column("prev_hash", String, nullable=False),
    Column("hash", String, nullable=False),
)
# The log is append-only inside the database too; the hash chain is what proves it.
_APPEND_ONLY = (
    "CREATE TRIGGER IF NOT EXISTS custody_no_update BEFORE UPDATE ON custody "
    "BEGIN SELECT RAISE(ABORT, 'custody log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS custody_no_delete BEFORE DELETE ON custody "
    "BEGIN SELECT RAISE(ABORT, 'custody log is append-only'); END",
)


class _Digest:
    """A SHA-256 that can run on another core: hashlib releases the GIL on large buffers."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None

    def in_background(self) -> None:
        self._queue = queue.Queue(maxsize=2)
        self._thread = threading.Thread(target=self._run, name="recours-hash", daemon=True)
        self._thread.start()

    def update(self, data: bytes) -> None:
        self.size += len(data)
        if self._queue is not None:
            self._queue.put(data)
        else:
            self.digest.update(data)

    def _run(self) -> None:
        assert self._queue is not None  # noqa: S101
        while (data := self._queue.get()) is not None:
            self.digest.update(data)

    def hexdigest(self) -> str:
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None
        return self.digest.hexdigest()


class _OriginalHash:
    """SHA-256 of the original, computed in the same pass as the encryption.

    For a large input the hash runs on a second core while the main thread encrypts and
    writes: this is what lets a 1 GiB add run faster than ``sha256sum`` on the same file
    (``make bench``). Small inputs are hashed inline, with no thread to start.
    """

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.digest = _Digest()
        self.head = b""
        self.progress = progress

    def see(self, view: memoryview) -> None:
        data = view.obj if isinstance(view.obj, bytes) and len(view) == len(view.obj) else bytes(view)
        if not self.head:
            self.head = bytes(data[:4096])
            if len(data) >= SLICE:
                self.digest.in_background()
        self.digest.update(bytes(data))
        if self.progress:
            self.progress(len(data))


class _HashingSink:
    """Receives decrypted bytes: hashes and counts them, passes them on if asked."""

    def __init__(self, target: BinaryIO | None) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        if self.target is not None:
            self.target.write(data)


class Vault:
    """An unlocked vault. Close it (or use it as a context manager) to forget its keys."""

    def __init__(self, path: Path, key_file: keys.KeyFile, master: bytes, storage: Storage) -> None:
        self.path = path
        self.key_file = key_file
        self.storage = storage
        self._identity = Identity.from_age_string(keys.unwrap_identity(master, key_file))
        self._recipient = self._identity.public_raw()
        self._engine = _engine(path / DB_FILE, keys.derived(master, "database"))
        self._check_database()

    # -- life cycle ------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        now: str,
        storage: Storage | None = None,
        cost: keys.KdfCost = keys.STRONG,
    ) -> tuple[Vault, str]:
        """Create a vault; returns it open, with the recovery key text to show once."""
        storage = storage or Storage()
        if (path / KEY_FILE).exists():
            raise VaultExists(f"Un coffre existe déjà ici : {path}.", f"A vault already exists here: {path}.")
        if path.exists() and not _only_creation_leftovers(path):
            raise VaultExists(
                f"Le dossier {path} n’est pas vide : choisissez un dossier vide ou nouveau.",
                f"The folder {path} is not empty: choose an empty or new folder.",
            )
        try:
            for folder in (path, path / "blobs", path / "tmp"):
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise storage_failure(exc) from exc
        master, recovery = keys.new_master_key(), secrets.token_bytes(32)
        vault_id = uuid.uuid4().hex
        identity = Identity.generate()
        nonce, wrapped = keys.wrap_identity(master, vault_id, identity.to_age_string())
        key_file = keys.KeyFile(
            vault_id=vault_id,
            created_at=now,
            slots=(
                keys.wrap_passphrase_slot(master, vault_id, passphrase, cost),
                keys.wrap_recovery_slot(master, vault_id, recovery),
            ),
            identity_nonce=nonce,
            identity_wrapped=wrapped,
        )
        # The database first, then the key file: a crash in between leaves a folder with
        # no vault.toml, which is "no vault" and can be created again.
        engine = _engine(path / DB_FILE, keys.derived(master, "database"))
        with engine.begin() as db:
            metadata.create_all(db)
            for statement in _APPEND_ONLY:
                db.execute(text(statement))
            db.execute(
                insert(meta_table),
                [
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    {"key": "vault_id", "value": vault_id},
                ],
            )
            _append(db, {"action": "create", "at": now, "vault": vault_id})
        engine.dispose()
        storage.write_atomic(path / KEY_FILE, keys.render_key_file(key_file), path / "tmp")
        return cls(path, key_file, master, storage), keys.recovery_text(recovery)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        passphrase: str | None = None,
        recovery: str | None = None,
        storage: Storage | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Vault:
        key_file = read_key_file(path)
        master = None
        if recovery is not None:
            secret = keys.parse_recovery(recovery)
            master = keys.unwrap(key_file, recovery=secret) if secret else None
        elif passphrase is not None:
            master = keys.unwrap(key_file, passphrase=passphrase)
        if master is None:
            _remember_failure(path, sleep)
            raise WrongPassphrase(
                "Phrase secrète ou clé de récupération incorrecte. Vérifiez les majuscules et la "
                "disposition du clavier. Après plusieurs essais, chaque nouvel essai est un peu plus lent.",
                "Wrong passphrase or recovery key. Check capital letters and the keyboard layout. After "
                "several attempts, each new attempt is a little slower.",
            )
        _forget_failures(path)
        return cls(path, key_file, master, storage or Storage())

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def vault_id(self) -> str:
        return self.key_file.vault_id

    # -- blobs -------------------------------------------------------------------------

    def blob_path(self, blob: str) -> Path:
        return self.path / "blobs" / blob[:2] / blob

    def write_blob(self, source: BinaryIO, progress: Callable[[int], None] | None = None) -> BlobWritten:
        """Encrypt ``source`` into a new durable blob, hashing the original in the same pass."""
        blob = secrets.token_hex(16)
        final = self.blob_path(blob)
        original = _OriginalHash(progress)
        written = 0
        with self.storage.temp_file(self.path / "tmp") as (temp, handle):

            def write(data: bytes) -> None:
                nonlocal written
                self.storage.write(handle, temp, data)
                written += len(data)

            try:
                encrypt_stream(source, write, self._recipient, original.see)
            finally:
                sha = original.digest.hexdigest()
            self.storage.fsync(handle, temp)
        self.storage.rename(temp, final)
        self.storage.fsync_dir(final.parent)
        return BlobWritten(blob, original.digest.size, sha, written, original.head)

    def read_blob(self, blob: str, target: BinaryIO | None = None) -> tuple[int, str]:
        """Decrypt a blob into ``target`` (or only hash it); returns (size, SHA-256) of the original.

        Raises :class:`VaultDamaged` when the blob fails authentication. Whatever was written
        to ``target`` before must then be discarded by the caller (age streams plaintext
        before the end is authenticated: research B.3).
        """
        sink = _HashingSink(target)
        try:
            with open(self.blob_path(blob), "rb") as encrypted:
                decrypt_stream(encrypted, sink.write, self._identity)
        except FileNotFoundError as exc:
            raise VaultDamaged("Fichier chiffré manquant.", "Encrypted file missing.") from exc
        except (OSError, AgeError) as exc:
            raise VaultDamaged(
                "Un fichier chiffré du coffre est altéré et ne peut pas être déchiffré.",
                "An encrypted file of the vault was altered and cannot be decrypted.",
            ) from exc
        return sink.size, sink.digest.hexdigest()

    def describe_image(self, blob: str, size: int) -> tuple[dict[str, Any], bytes | None]:
        """Metadata and an EXIF-free thumbnail of an image blob, decrypted in memory only."""
        if size > MAX_IMAGE_BYTES:
            return {}, None
        # Imported here: Pillow, numpy and libheif weigh ~25 MiB of memory that adding a
        # non-image (a video, a chat export) must not pay.
        from recours.adapters.media import describe_image

        buffer = io.BytesIO()
        self.read_blob(blob, buffer)
        return describe_image(buffer.getvalue())

    def blob_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for folder in (self.path / "blobs").iterdir():
            if folder.is_dir():
                for blob in folder.iterdir():
                    sizes[blob.name] = blob.stat().st_size
        return sizes

    def erase_blob(self, blob: str) -> None:
        path = self.blob_path(blob)
        self.storage.unlink(path)
        self.storage.fsync_dir(path.parent)

    def temp_leftovers(self) -> list[Path]:
        return sorted((self.path / "tmp").glob("*.tmp"))

    def remove_temp(self, path: Path) -> None:
        if path.parent != self.path / "tmp":
            raise ValueError("only files of the vault's tmp/ folder can be removed this way")
        self.storage.unlink(path)

    # -- database ----------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as db:
                yield db
                self.storage.checkpoint("commit", self.path / DB_FILE)
        except OperationalError as exc:
            original = exc.orig
            if isinstance(original, sqlite3.OperationalError | sqlcipher.OperationalError) and "full" in str(
                original
            ):
                raise storage_failure(OSError(28, "No space left on device")) from exc
            raise

    def _check_database(self) -> None:
        try:
            # Tables added since the vault was created (e.g. chat_entries) are created here:
            # additive changes need no other migration.
            metadata.create_all(self._engine, checkfirst=True)
            with self._engine.connect() as db:
                version = db.execute(
                    select(meta_table.c.value).where(meta_table.c.key == "schema_version")
                ).scalar()
                vault_id = db.execute(
                    select(meta_table.c.value).where(meta_table.c.key == "vault_id")
                ).scalar()
        except DatabaseError as exc:
            raise VaultDamaged(
                "La base du coffre (index.db) est illisible : elle a été altérée ou remplacée.",
                "The vault database (index.db) is unreadable: it was altered or replaced.",
            ) from exc
        if version != str(SCHEMA_VERSION) or vault_id != self.vault_id:
            raise VaultDamaged(
                "La base du coffre ne correspond pas à ce coffre.",
                "The vault database does not match this vault.",
            )

    def add_item(
        self, record: ItemRecord, tags: Sequence[str], item_metadata: Mapping[str, Any], at: str
    ) -> None:
        """Commit an item whose blob is already durable, with its custody entry, atomically."""
        with self._transaction() as db:
            db.execute(
                insert(items_table).values(
                    **record.as_entry(),
                    metadata=json.dumps(item_metadata, ensure_ascii=False, sort_keys=True),
                    tags=json.dumps(list(tags), ensure_ascii=False),
                    deleted_at=None,
                )
            )
            _append(
                db,
                {
                    "action": "add",
                    "at": at,
                    "item": record.id,
                    "record": record.as_entry(),
                    "tags": list(tags),
                },
            )

    def set_tags(self, item_id: str, tags: Sequence[str], at: str) -> None:
        with self._transaction() as db:
            _live_row(db, item_id)
            db.execute(
                update(items_table)
                .where(items_table.c.id == item_id)
                .values(tags=json.dumps(list(tags), ensure_ascii=False))
            )
            _append(db, {"action": "tags", "at": at, "item": item_id, "tags": list(tags)})

    def mark_deleted(self, item_id: str, at: str) -> str:
        """Record the deletion (row + custody entry); returns the blob to erase afterwards."""
        with self._transaction() as db:
            row = _live_row(db, item_id)
            db.execute(update(items_table).where(items_table.c.id == item_id).values(deleted_at=at))
            _append(db, {"action": "delete", "at": at, "item": item_id})
            return str(row.blob)

    def add_incident(self, record: IncidentRecord) -> None:
        with self._transaction() as db:
            row = record.as_entry()
            row["witnesses"] = json.dumps(row["witnesses"], ensure_ascii=False)
            row["items"] = json.dumps(row["items"])
            db.execute(insert(incidents_table).values(**row))
            _append(db, {"action": "incident", "at": record.recorded_at, "record": record.as_entry()})

    def incidents(self) -> list[IncidentRecord]:
        with self._engine.connect() as db:
            rows = db.execute(select(incidents_table).order_by(incidents_table.c.occurred_at)).all()
        return [
            IncidentRecord.from_entry(
                {**row._mapping, "witnesses": json.loads(row.witnesses), "items": json.loads(row.items)}
            )
            for row in rows
        ]

    def append_event(self, entry: Mapping[str, Any]) -> None:
        with self._transaction() as db:
            _append(db, dict(entry))

    def add_chat_records(
        self, import_item: str, records: int, document: str, event: Mapping[str, Any]
    ) -> None:
        """Store the records document of an export item, with its custody entry, atomically."""
        with self._transaction() as db:
            db.execute(insert(chat_table).values(import_item=import_item, records=records, document=document))
            _append(db, dict(event))

    def chat_documents(self, import_items: Sequence[str] | None = None) -> dict[str, str]:
        """The records document of each import (all, or of ``import_items``)."""
        query = select(chat_table.c.import_item, chat_table.c.document)
        if import_items is not None:
            query = query.where(chat_table.c.import_item.in_(list(import_items)))
        with self._engine.connect() as db:
            return {row[0]: row[1] for row in db.execute(query).all()}

    def set_highlight(
        self, import_item: str, position: int, note: str | None, event: Mapping[str, Any]
    ) -> None:
        """Mark (note is a text) or unmark (note is None) a chat record, with its custody entry."""
        with self._transaction() as db:
            where = (highlights_table.c.import_item == import_item) & (
                highlights_table.c.position == position
            )
            db.execute(delete(highlights_table).where(where))
            if note is not None:
                db.execute(
                    insert(highlights_table).values(
                        import_item=import_item, position=position, note=note, at=event["at"]
                    )
                )
            _append(db, dict(event))

    def highlights(self) -> dict[tuple[str, int], tuple[str, str]]:
        """Marked records: (import item, position) → (note, when)."""
        with self._engine.connect() as db:
            rows = db.execute(select(highlights_table)).all()
        return {(row.import_item, row.position): (row.note, row.at) for row in rows}

    def items(self) -> list[tuple[StoredItem, dict[str, Any], str | None]]:
        """Every item row: (item, its metadata, when it was deleted or None)."""
        with self._engine.connect() as db:
            rows = db.execute(select(items_table).order_by(items_table.c.added_at, items_table.c.id)).all()
        return [_item_of(row) for row in rows]

    def live_items(
        self, *, kinds_left_out: Collection[str] = (), offset: int = 0, limit: int | None = None
    ) -> tuple[int, list[tuple[StoredItem, dict[str, Any]]]]:
        """How many live items there are (of the other kinds), and those from ``offset`` on
        (``limit`` of them at most), oldest first. The database counts and slices: a page of
        a 10,000-item vault decodes a hundred rows, not all of them."""
        live = items_table.c.deleted_at.is_(None) & items_table.c.kind.not_in(list(kinds_left_out))
        with self._engine.connect() as db:
            total = db.execute(select(func.count()).select_from(items_table).where(live)).scalar_one()
            rows = db.execute(
                select(items_table)
                .where(live)
                .order_by(items_table.c.added_at, items_table.c.id)
                .offset(offset)
                .limit(limit)
            ).all()
        return int(total), [_item_of(row)[:2] for row in rows]

    def live_tags(self, *, kinds_left_out: Collection[str] = ()) -> set[str]:
        """Every tag of a live item (of the other kinds)."""
        tag = func.json_each(_json(items_table.c.tags, "[]")).table_valued("value")
        query = (
            select(tag.c.value)
            .select_from(items_table)
            .join(tag, true())
            .where(items_table.c.deleted_at.is_(None), items_table.c.kind.not_in(list(kinds_left_out)))
            .distinct()
        )
        with self._engine.connect() as db:
            return {str(value) for value in db.execute(query).scalars()}

    def derived_items(self, kind: str, originals: Sequence[str] | None = None) -> dict[str, str]:
        """Original item id → id of its live derived item of this kind (a thumbnail), for all
        originals or those in ``originals``."""
        original = func.json_extract(_json(items_table.c.metadata, "{}"), "$.derived_from")
        query = select(original, items_table.c.id).where(
            items_table.c.kind == kind, items_table.c.deleted_at.is_(None), original.is_not(None)
        )
        if originals is not None:
            query = query.where(original.in_(list(originals)))
        with self._engine.connect() as db:
            return {str(row[0]): str(row[1]) for row in db.execute(query.order_by(items_table.c.added_at))}

    def item(self, item_id: str) -> tuple[StoredItem, dict[str, Any]]:
        with self._engine.connect() as db:
            return _item_of(_live_row(db, item_id))[:2]

    def custody(self, action: str | None = None) -> list[StoredEntry]:
        """The custody log in order: all of it, or only the entries of this ``action``."""
        query = select(custody_table).order_by(custody_table.c.seq)
        if action is not None:
            query = query.where(func.json_extract(_json(custody_table.c.entry, "{}"), "$.action") == action)
        with self._engine.connect() as db:
            rows = db.execute(query).all()
        return [StoredEntry(row.seq, json.loads(row.entry), row.prev_hash, row.hash) for row in rows]

    def integrity_check(self) -> list[str]:
        """SQLite's structural check plus SQLCipher's check of every page's HMAC."""
        try:
            with self._engine.connect() as db:
                rows = list(db.execute(text("PRAGMA cipher_integrity_check")).all())
                rows += [r for r in db.execute(text("PRAGMA integrity_check")).all() if r[0] != "ok"]
        except DatabaseError as exc:
            return [str(exc.orig)]
        return [str(r[0]) for r in rows]

    # -- keys --------------------------------------------------------------------------

    def change_passphrase(self, old: str, new: str, at: str) -> None:
        """Rewrap the master key under a new passphrase: one slot rewritten, no data touched."""
        master = keys.unwrap(read_key_file(self.path), passphrase=old)
        if master is None:
            raise WrongPassphrase("L’ancienne phrase secrète est incorrecte.", "The old passphrase is wrong.")
        cost = self.key_file.slot("passphrase").cost or keys.STRONG
        slot = keys.wrap_passphrase_slot(master, self.vault_id, new, cost)
        updated = keys.replace_slot(self.key_file, slot)
        self.storage.write_atomic(self.path / KEY_FILE, keys.render_key_file(updated), self.path / "tmp")
        self.key_file = updated
        self.append_event({"action": "passphrase", "at": at})


class LocalVaults:
    """Vaults in folders of this computer (the :class:`VaultFactory` of local mode)."""

    def __init__(
        self,
        storage: Storage | None = None,
        cost: keys.KdfCost | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.storage = storage or Storage()
        self.cost = cost or keys.STRONG
        self.sleep = sleep

    def create(self, path: Path, passphrase: str, *, now: str) -> tuple[Vault, str]:
        return Vault.create(path, passphrase, now=now, storage=self.storage, cost=self.cost)

    def open(self, path: Path, secret: str) -> Vault:
        """Open with the passphrase, or with the recovery key when ``secret`` has its shape."""
        if keys.parse_recovery(secret) is not None:
            return Vault.open(path, recovery=secret, storage=self.storage, sleep=self.sleep)
        return Vault.open(path, passphrase=secret, storage=self.storage, sleep=self.sleep)

    def erase(self, path: Path) -> None:
        crypto_erase(path, self.storage)

    def exists(self, path: Path) -> bool:
        return (path / KEY_FILE).is_file()

    def request_lock(self, path: Path) -> None:
        """Ask a running web app to lock this vault (``recours vault lock``)."""
        read_key_file(path)
        (path / LOCK_REQUEST).touch()

    def lock_requested_since(self, path: Path, moment: float) -> bool:
        """Whether a lock was requested after ``moment`` (a ``time.time()`` value)."""
        try:
            return (path / LOCK_REQUEST).stat().st_mtime >= moment
        except OSError:
            return False


def read_key_file(path: Path) -> keys.KeyFile:
    try:
        data = (path / KEY_FILE).read_bytes()
    except FileNotFoundError:
        raise VaultNotFound(
            f"Aucun coffre ici : {path}. Créez-en un avec « recours vault init ».",
            f"No vault here: {path}. Create one with “recours vault init”.",
        ) from None
    except OSError as exc:
        raise storage_failure(exc) from exc
    return keys.parse_key_file(data)


def crypto_erase(path: Path, storage: Storage) -> None:
    """Quick delete: destroy the key file first (instant crypto-erasure), then remove the rest.

    Overwriting in place is only a best effort on SSDs and copy-on-write file systems (shred(1)
    CAUTION); what makes the data unreadable is that no copy of the wrapped keys remains in
    the vault. Old copies left on the disk by earlier passphrase changes still need the old
    passphrase or the recovery key.
    """
    key_file = path / KEY_FILE
    if not key_file.exists():
        raise VaultNotFound(f"Aucun coffre ici : {path}.", f"No vault here: {path}.")
    storage.overwrite(key_file)
    storage.unlink(key_file)
    storage.fsync_dir(path)
    # From here the vault is unreadable; the rest is tidying up, as fast as the disk allows.
    graveyard = path.with_name(f".{path.name}.deleted-{secrets.token_hex(4)}")
    storage.rename(path, graveyard)
    for root, folders, files in os.walk(graveyard, topdown=False):
        for name in files:
            Path(root, name).unlink(missing_ok=True)
        for name in folders:
            Path(root, name).rmdir()
    graveyard.rmdir()


# -- helpers ---------------------------------------------------------------------------


def _only_creation_leftovers(path: Path) -> bool:
    """An empty folder, or what an interrupted creation leaves (no key file, no blob): removed."""
    names = {p.name for p in path.iterdir()}
    allowed = {"index.db", "index.db-wal", "index.db-shm", "blobs", "tmp"}
    if not names <= allowed or any((path / "blobs").glob("*/*")):
        return False
    for name in ("index.db", "index.db-wal", "index.db-shm"):
        (path / name).unlink(missing_ok=True)
    return True


def _engine(db_path: Path, key: bytes) -> Engine:
    def connect() -> Any:
        connection = sqlcipher.connect(str(db_path), timeout=30, check_same_thread=False)
        connection.isolation_level = None  # transactions are begun explicitly below
        # SQLCipher would print its own errors on the user's terminal; we report them ourselves.
        connection.execute("PRAGMA cipher_log_level = NONE")
        # A raw 256-bit key: no second KDF inside SQLCipher (ARCHITECTURE.md).
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("PRAGMA foreign_keys = ON")
        # 16 MB of decrypted pages (SQLite's default is 2 MB): the index of a 10,000-item vault
        # (10 MB) stays in it between two pages of the list, instead of being decrypted again.
        connection.execute("PRAGMA cache_size = -16000")
        connection.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed transaction survives a power cut, so an acknowledged item too.
        connection.execute("PRAGMA synchronous = FULL")
        return connection

    # Connections are kept open between reads (closed by ``Vault.close``): each keeps its cache of
    # decrypted pages, which SQLite empties when another connection has written. With a new
    # connection per read, every read decrypted its tables again: the list page of a 10,000-item
    # vault took 40 ms, 21 ms now. No limit on how many: each thread takes its own, one at a time.
    engine = create_engine(
        "sqlite://", creator=connect, module=sqlcipher, poolclass=QueuePool, pool_size=4, max_overflow=-1
    )

    @event.listens_for(engine, "begin")
    def _immediate(db: Connection) -> None:
        # Take the write lock at BEGIN so two writers wait instead of failing mid-way.
        db.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _append(db: Connection, entry: dict[str, Any]) -> None:
    last = db.execute(
        select(custody_table.c.seq, custody_table.c.hash).order_by(custody_table.c.seq.desc()).limit(1)
    ).first()
    seq, previous = (last.seq + 1, last.hash) if last else (1, GENESIS)
    entry = {**entry, "seq": seq}
    db.execute(
        insert(custody_table).values(
            seq=seq,
            entry=canonical(entry).decode("utf-8"),
            prev_hash=previous,
            hash=entry_hash(previous, entry),
        )
    )


def _json(column: Any, otherwise: str) -> Any:
    """The column where it holds JSON, ``otherwise`` where it does not: SQLite's JSON functions
    fail the whole query on one altered row, and what reads that row says it is damaged."""
    return case((func.json_valid(column), column), else_=otherwise)


def _item_of(row: Any) -> tuple[StoredItem, dict[str, Any], str | None]:
    record = ItemRecord(**{name: getattr(row, name) for name in ItemRecord.__dataclass_fields__})
    stored = StoredItem(record=record, tags=json.loads(row.tags), deleted=row.deleted_at is not None)
    return stored, json.loads(row.metadata), row.deleted_at


def _live_row(db: Connection, item_id: str) -> Any:
    row = db.execute(
        select(items_table).where(items_table.c.id == item_id, items_table.c.deleted_at.is_(None))
    ).first()
    if row is None:
        raise _no_item(item_id)
    return row


def _no_item(item_id: str) -> ItemNotFound:
    return ItemNotFound(
        f"Aucun élément « {item_id} » dans le coffre. « recours list » donne la liste.",
        f"No item “{item_id}” in the vault. “recours list” lists them.",
    )


def _remember_failure(path: Path, sleep: Callable[[float], None]) -> None:
    """Count failed unlocks; from the fourth, wait 1, 2, 4… up to 30 s. Never wipe (research B.11.4)."""
    marker = path / FAILURES_FILE
    try:
        count = int(marker.read_text().strip() or 0) + 1
    except (OSError, ValueError):
        count = 1
    with suppress(OSError):
        marker.write_text(str(count))
    if count > 3:
        sleep(min(30.0, 2.0 ** (count - 4)))


def _forget_failures(path: Path) -> None:
    (path / FAILURES_FILE).unlink(missing_ok=True)
