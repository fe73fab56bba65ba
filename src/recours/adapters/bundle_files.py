"""The bundle on disk: atomic write, the verifier's source, optional age encryption.

Atomic write (same protocol as the vault, ``adapters/storage.py``): a temporary file in the
destination folder, created with mode 0600 (the bundle holds evidence), fsync, rename over
the destination, fsync of the folder. A crash or an error leaves the old file or the new one,
whole, never a half-written bundle; the temporary file is removed on error.

Encryption (optional) is age v1 (C2SP age.md) for one recipient: an X25519 public key
(``age1…``) or a passphrase (scrypt stanza). The ZIP bytes are encrypted *as they are
produced*: no plaintext copy of the bundle ever touches the disk (a temporary plaintext ZIP in
a synced folder could be uploaded before it is removed). ``adapters/age_format.py`` encrypts
by *pulling* from a source; ``zipfile`` *pushes* its output, so :class:`AgeWriter` is a
push-style STREAM writer, built from age_format's header and key-derivation helpers. The
encrypted file is random by design (fresh file key, nonce and ephemeral share); reproducibility
applies to the ZIP inside it.
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import importlib.resources
import io
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from recours.adapters.age_format import (
    CHUNK,
    INTRO,
    AgeError,
    Identity,
    _b64,
    _bech32_decode,
    _header,
    _hkdf,
)
from recours.domain.bundle import VERIFIER, Manifest, Member, build_bundle
from recours.domain.custody import Head
from recours.errors import BadInput, StorageFailure

# age.md, "scrypt recipient stanza": the salt is prefixed with this label.
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
# age.md leaves the work factor to the encrypter; the reference tools target about one second
# and refuse above 22 by default. 18 (256 MiB, r = 8) is what the brief asks for files.
SCRYPT_WORK_FACTOR = 18


@dataclass(frozen=True)
class X25519Recipient:
    """An age public key: the recipient decrypts with ``age -d -i their-key.txt``."""

    public_key: bytes  # 32 raw bytes

    @classmethod
    def parse(cls, text: str) -> X25519Recipient:
        """From ``age1…``; :class:`BadInput` when it is not an age X25519 public key."""
        try:
            hrp, data = _bech32_decode(text.strip().lower())
        except (AgeError, ValueError):
            hrp, data = "", b""
        if hrp != "age" or len(data) != 32:
            raise BadInput(
                "Cette clé publique age n’est pas valable. Elle commence par « age1 » et compte 62 caractères.",
                "This age public key is not valid. It starts with “age1” and is 62 characters long.",
            )
        return cls(data)

    @classmethod
    def of(cls, identity: Identity) -> X25519Recipient:
        return cls(identity.public_raw())


@dataclass(frozen=True)
class PassphraseRecipient:
    """A passphrase to share with the recipient another way: ``age -d`` asks for it."""

    passphrase: str
    work_factor: int = SCRYPT_WORK_FACTOR

    def __post_init__(self) -> None:
        if not self.passphrase:
            raise BadInput("La phrase de passe est vide.", "The passphrase is empty.")
        if not 1 <= self.work_factor <= 22:
            raise ValueError("scrypt work factor must be between 1 and 22")


Recipient = X25519Recipient | PassphraseRecipient


def _scrypt_header(file_key: bytes, recipient: PassphraseRecipient) -> bytes:
    """The age header with one scrypt stanza (age.md: it must be the only stanza).

    ``-> scrypt <salt> <log2 N>``; body = ChaCha20-Poly1305(scrypt(passphrase, label || salt,
    N = 2^work factor, r = 8, p = 1), nonce zero, file key); MAC as for any age header.
    """
    salt = secrets.token_bytes(16)
    key = Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=1 << recipient.work_factor, r=8, p=1).derive(
        recipient.passphrase.encode("utf-8")
    )
    body = ChaCha20Poly1305(key).encrypt(bytes(12), file_key, None)
    stanza = b"-> scrypt " + _b64(salt) + b" " + str(recipient.work_factor).encode("ascii")
    without_mac = INTRO + b"\n" + stanza + b"\n" + _b64(body) + b"\n---"
    mac = hmac.new(_hkdf(file_key, b"", b"header"), without_mac, sha256).digest()
    return without_mac + b" " + _b64(mac) + b"\n"


class AgeWriter:
    """Encrypts what is written to it into an age v1 file, chunk by chunk (push style).

    STREAM (age.md "payload"): ChaCha20-Poly1305 under HKDF(file key, salt = nonce, "payload"),
    64 KiB chunks, nonce = 11-byte big-endian counter || last-chunk flag. A full chunk is
    sealed only once more data follows, so the last one is always the one flagged; it is empty
    only when the whole payload is. :meth:`close` must be called to write it.
    """

    def __init__(self, write: Callable[[bytes], object], recipient: Recipient) -> None:
        file_key = secrets.token_bytes(16)
        if isinstance(recipient, X25519Recipient):
            header = _header(file_key, recipient.public_key)
        else:
            header = _scrypt_header(file_key, recipient)
        nonce = secrets.token_bytes(16)
        self._write = write
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._counter = 0
        self._pending = bytearray()
        self._closed = False
        write(header + nonce)

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("write to a closed AgeWriter")
        self._pending += data
        if len(self._pending) > CHUNK:
            whole = (len(self._pending) - 1) // CHUNK * CHUNK  # keep at least one byte back
            ready = memoryview(bytes(self._pending[:whole]))
            del self._pending[:whole]
            self._write(
                b"".join(
                    self._seal(ready[start : start + CHUNK], last=False) for start in range(0, whole, CHUNK)
                )
            )
        return len(data)

    def close(self) -> None:
        if not self._closed:
            self._write(self._seal(memoryview(bytes(self._pending)), last=True))
            self._pending.clear()
            self._closed = True

    def _seal(self, chunk: memoryview, *, last: bool) -> bytes:
        nonce = self._counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
        self._counter += 1
        return self._aead.encrypt(nonce, chunk, None)


def verifier_source() -> bytes:
    """The bytes of ``recours/verify_bundle.py``, as installed, to put in every bundle."""
    return importlib.resources.files("recours").joinpath(VERIFIER).read_bytes()


def save_bundle(
    path: Path,
    members: Iterable[Member],
    *,
    vault_id: str,
    generated_at: str,
    custody: Head,
    recipient: Recipient | None = None,
) -> Manifest:
    """Build the bundle (``domain.bundle.build_bundle``) into ``path``, atomically.

    ``recipient``: None for a plain ZIP, else the age recipient the file is encrypted for (then
    name it ``….zip.age``). Replaces an existing file at ``path`` (the caller asks first).
    Raises :class:`StorageFailure` on a disk error, and whatever ``build_bundle`` raises; in
    every case nothing is left behind and an existing ``path`` is untouched.
    """
    folder = path.parent
    temp = folder / f".{path.name}.{secrets.token_hex(8)}.part"
    try:
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise _failure(exc, path) from exc
    try:
        with os.fdopen(descriptor, "wb") as handle:
            manifest = _build_into(handle, members, vault_id, generated_at, custody, recipient)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_folder(folder)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise _failure(exc, path) from exc
        raise
    return manifest


def bundle_in_memory(
    members: Iterable[Member],
    *,
    vault_id: str,
    generated_at: str,
    custody: Head,
    recipient: Recipient | None = None,
) -> tuple[bytes, Manifest]:
    """The bundle's bytes (encrypted for ``recipient`` if given) and its manifest: for the web
    app, which hands them to the browser without writing anything to disk."""
    out = io.BytesIO()
    manifest = _build_into(out, members, vault_id, generated_at, custody, recipient)
    return out.getvalue(), manifest


def _build_into(
    out: BinaryIO,
    members: Iterable[Member],
    vault_id: str,
    generated_at: str,
    custody: Head,
    recipient: Recipient | None,
) -> Manifest:
    """The bundle written to ``out``, through the age encryptor when there is a recipient."""
    encryptor = AgeWriter(out.write, recipient) if recipient is not None else None
    manifest = build_bundle(
        members,
        vault_id=vault_id,
        generated_at=generated_at,
        custody=custody,
        verifier_source=verifier_source(),
        target=encryptor if encryptor is not None else out,
    )
    if encryptor is not None:
        encryptor.close()
    return manifest


def save_file(path: Path, data: bytes) -> None:
    """Write a finished document (the dossier PDF, a letter) to ``path`` atomically: a temp
    file (0600) in the same folder, fsync, rename, fsync of the folder. Replaces ``path``."""
    folder = path.parent
    temp = folder / f".{path.name}.{secrets.token_hex(8)}.part"
    try:
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_folder(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise _failure(exc, path) from exc


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); Windows cannot open a folder and needs no such step."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _failure(exc: OSError, path: Path) -> StorageFailure:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFailure(
            "Le disque est plein : le lot n’a pas été écrit. Libérez de la place puis recommencez.",
            "The disk is full: the bundle was not written. Free some space and try again.",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageFailure(
            f"Recours n’a pas le droit d’écrire dans le dossier {path.parent}. Choisissez un autre dossier.",
            f"Recours is not allowed to write in the folder {path.parent}. Choose another folder.",
        )
    if exc.errno == errno.ENOENT:
        return StorageFailure(
            f"Le dossier {path.parent} n’existe pas.",
            f"The folder {path.parent} does not exist.",
        )
    return StorageFailure(
        f"Erreur du disque ({exc.strerror or exc}) : le lot n’a pas été écrit.",
        f"Disk error ({exc.strerror or exc}): the bundle was not written.",
    )
