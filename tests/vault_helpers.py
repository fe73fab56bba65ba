"""Shared helpers for vault tests: fast key derivation, a fixed clock, a filled vault."""

from __future__ import annotations

import io
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from recours.adapters.storage import Storage
from recours.adapters.vault_keys import KdfCost
from recours.adapters.vault_store import LocalVaults, Vault
from recours.services import vault as svc

PASSPHRASE = "une phrase secrète de test"
# Argon2id at its minimum: the strong default costs ~0.2 s per unlock, too slow for hundreds of tests.
FAST = KdfCost(memory_kib=8, iterations=1, lanes=1)
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))


def factory(storage: Storage | None = None) -> LocalVaults:
    return LocalVaults(storage=storage, cost=FAST, sleep=lambda _: None)


def tick(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def new_vault(path: Path, storage: Storage | None = None) -> tuple[Vault, str]:
    vault, recovery = svc.create(factory(storage), path, PASSPHRASE, T0)
    assert isinstance(vault, Vault)
    return vault, recovery


def reopen(path: Path, storage: Storage | None = None) -> Vault:
    vault = factory(storage).open(path, PASSPHRASE)
    assert isinstance(vault, Vault)
    return vault


def fill(vault: Vault, count: int = 4, size: int = 3000) -> list[svc.Added]:
    added = []
    for n in range(count):
        content = bytes((n * 31 + i) % 251 for i in range(size + n))
        added.append(
            svc.add_stream(
                vault,
                io.BytesIO(content),
                kind="file",
                name=f"capture-{n}.png",
                now=tick(n + 1),
                tags=["instagram"] if n % 2 else [],
            )
        )
    return added


def copy_vault(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
