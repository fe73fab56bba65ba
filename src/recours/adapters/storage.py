"""The file operations of the vault, in one small port so tests can crash or fail any of them.

Durable write protocol (research B.9 D2, restic's local backend): write to a temporary file
in the vault's ``tmp/``, fsync it, rename it into place, fsync the directory. A reader never
sees a half-written file; after a crash, at worst an orphan temporary file or blob remains,
which ``repair`` removes. Test doubles subclass :class:`Storage` and override ``checkpoint``.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

from recours.errors import StorageFailure

T = TypeVar("T")


class Storage:
    """Real file operations. Every mutating step passes :meth:`checkpoint` first."""

    def checkpoint(self, name: str, path: Path) -> None:
        """Called before each step ("create", "write", "fsync", "rename", "fsync_dir", "unlink",
        "overwrite", "commit"); test doubles crash or fail here."""

    def _step(self, name: str, path: Path, action: Callable[[], T]) -> T:
        """One step: the checkpoint, then the action; an OS error in either is translated."""

        def run() -> T:
            self.checkpoint(name, path)
            return action()

        return _guarded(run)

    @contextmanager
    def temp_file(self, folder: Path) -> Iterator[tuple[Path, BinaryIO]]:
        """A new temporary file in ``folder``, removed again if the block fails."""
        path = folder / f"{secrets.token_hex(16)}.tmp"

        def create() -> BinaryIO:
            folder.mkdir(parents=True, exist_ok=True)
            return open(path, "xb")

        handle = self._step("create", path, create)
        try:
            yield path, handle
        except BaseException:
            handle.close()
            path.unlink(missing_ok=True)
            raise
        handle.close()

    def write(self, handle: BinaryIO, path: Path, data: bytes) -> None:
        self._step("write", path, lambda: handle.write(data))

    def fsync(self, handle: BinaryIO, path: Path) -> None:
        def sync() -> None:
            handle.flush()
            os.fsync(handle.fileno())

        self._step("fsync", path, sync)

    def rename(self, source: Path, target: Path) -> None:
        def move() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)

        self._step("rename", target, move)

    def fsync_dir(self, folder: Path) -> None:
        def sync() -> None:
            descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)

        self._step("fsync_dir", folder, sync)

    def unlink(self, path: Path) -> None:
        self._step("unlink", path, lambda: path.unlink(missing_ok=True))

    def overwrite(self, path: Path) -> None:
        """Replace a file's bytes in place with random ones and flush them to the disk."""

        def scramble() -> None:
            size = max(path.stat().st_size, 4096)
            with open(path, "r+b") as handle:
                handle.write(secrets.token_bytes(size))
                handle.flush()
                os.fsync(handle.fileno())

        self._step("overwrite", path, scramble)

    def write_atomic(self, path: Path, data: bytes, tmp_folder: Path) -> None:
        """Replace ``path`` with ``data`` so that a crash leaves the old or the new file, whole."""
        with self.temp_file(tmp_folder) as (temp, handle):
            self.write(handle, temp, data)
            self.fsync(handle, temp)
        self.rename(temp, path)
        self.fsync_dir(path.parent)


def _guarded(action: Callable[[], T]) -> T:
    """Run one file operation; an OS error becomes a :class:`StorageFailure` the user can read."""
    try:
        return action()
    except OSError as exc:
        raise storage_failure(exc) from exc


def storage_failure(exc: OSError) -> StorageFailure:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFailure(
            "Le disque est plein : rien n’a été ajouté. Libérez de la place puis recommencez. "
            "Ce qui était déjà dans le coffre est intact.",
            "The disk is full: nothing was added. Free some space and try again. "
            "What was already in the vault is intact.",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageFailure(
            "Recours n’a pas le droit d’écrire dans le dossier du coffre. Rien n’a été modifié.",
            "Recours is not allowed to write in the vault folder. Nothing was changed.",
        )
    return StorageFailure(
        f"Erreur du disque ({exc.strerror or exc}). L’opération a été annulée ; le coffre est intact.",
        f"Disk error ({exc.strerror or exc}). The operation was cancelled; the vault is intact.",
    )
