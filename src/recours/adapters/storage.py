"""The file operations of the vault, in one small port so tests can crash or fail any of them.

Durable write protocol (research B.9 D2, restic's local backend): write to a temporary file
in the vault's ``tmp/``, fsync it, rename it into place, fsync the directory. A reader never
sees a half-written file; after a crash, at worst an orphan temporary file or blob remains,
which ``repair`` removes. Test doubles subclass :class:`Storage` and override ``_op``.
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


class Storage:
    """Real file operations. Every mutating step goes through :meth:`_op` first."""

    def _op(self, name: str, path: Path) -> None:
        """Hook called before each step ("write", "fsync", "rename", "fsync_dir", "unlink")."""

    @contextmanager
    def temp_file(self, folder: Path) -> Iterator[tuple[Path, BinaryIO]]:
        """A new temporary file in ``folder``, removed again if the block fails."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{secrets.token_hex(16)}.tmp"
        self._op("create", path)
        handle = _guarded(lambda: open(path, "xb"))  # noqa: SIM115 - closed below
        try:
            yield path, handle
        except BaseException:
            handle.close()
            path.unlink(missing_ok=True)
            raise
        handle.close()

    def write(self, handle: BinaryIO, path: Path, data: bytes) -> None:
        self._op("write", path)
        _guarded(lambda: handle.write(data))

    def fsync(self, handle: BinaryIO, path: Path) -> None:
        self._op("fsync", path)
        _guarded(handle.flush)
        _guarded(lambda: os.fsync(handle.fileno()))

    def rename(self, source: Path, target: Path) -> None:
        self._op("rename", target)
        target.parent.mkdir(parents=True, exist_ok=True)
        _guarded(lambda: os.replace(source, target))

    def fsync_dir(self, folder: Path) -> None:
        self._op("fsync_dir", folder)
        descriptor = _guarded(lambda: os.open(folder, os.O_RDONLY | os.O_DIRECTORY))
        try:
            _guarded(lambda: os.fsync(descriptor))
        finally:
            os.close(descriptor)

    def unlink(self, path: Path) -> None:
        self._op("unlink", path)
        _guarded(lambda: path.unlink(missing_ok=True))

    def write_atomic(self, path: Path, data: bytes, tmp_folder: Path) -> None:
        """Replace ``path`` with ``data`` so that a crash leaves the old or the new file, whole."""
        with self.temp_file(tmp_folder) as (temp, handle):
            self.write(handle, temp, data)
            self.fsync(handle, temp)
        self.rename(temp, path)
        self.fsync_dir(path.parent)


T = TypeVar("T")


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
