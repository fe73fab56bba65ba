"""Real ``kill -9`` of a process adding items at random moments (research B.10 T1b).

The child is forked from the test process (no interpreter start-up to wait for), opens the
vault itself and adds items of random sizes in a loop, acknowledging each through a pipe
only once ``add_stream`` has returned (committed). After each SIGKILL the vault must open,
verify clean (orphan blobs or temporary files left by the killed add are harmless notices)
and hold every acknowledged item, whole.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from recours.adapters.vault_store import LocalVaults
from recours.services import vault as svc
from tests.vault_helpers import PASSPHRASE, new_vault, reopen, tick

SIZES = (0, 1, 100, 4096, 65_536, 300_000, 2_000_000)


def add_forever(path: Path, seed: int, acks: Connection) -> None:
    rng = random.Random(seed)
    vault = LocalVaults().open(path, PASSPHRASE)
    acks.send("READY")
    while True:
        content = rng.randbytes(rng.choice(SIZES))
        added = svc.add_stream(vault, io.BytesIO(content), kind="file", name=f"k{seed}", now=tick(1))
        acks.send((added.record.id, added.record.sha256))


def kill_rounds(tmp_path: Path, rounds: int, seed: int) -> tuple[int, int]:
    vault, _ = new_vault(tmp_path / "coffre")
    vault.close()
    rng = random.Random(seed)
    context = multiprocessing.get_context("fork")
    acknowledged: dict[str, str] = {}
    for round_number in range(rounds):
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(
            target=add_forever, args=(tmp_path / "coffre", seed * 100_000 + round_number, sender)
        )
        child.start()
        sender.close()
        assert receiver.recv() == "READY"
        time.sleep(rng.uniform(0, 0.2))
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        while receiver.poll():
            try:
                item_id, digest = receiver.recv()
            except EOFError:
                break
            acknowledged[item_id] = digest
        receiver.close()
        vault = reopen(tmp_path / "coffre")
        report = svc.verify(vault)
        assert report.clean, (round_number, [p.fr for p in report.problems])
        present = {v.record.id: v.record.sha256 for v in svc.list_items(vault)}
        lost = {i for i in acknowledged if present.get(i) != acknowledged[i]}
        assert not lost, (round_number, lost)
        vault.close()
    vault = reopen(tmp_path / "coffre")
    assert svc.verify(vault, read_data=True).clean
    svc.repair(vault)
    items = len(svc.list_items(vault))
    vault.close()
    return items, len(acknowledged)


def test_200_kills_lose_nothing_acknowledged(tmp_path: Path) -> None:
    items, acknowledged = kill_rounds(tmp_path, rounds=200, seed=7)
    assert acknowledged > 50  # the kills did land in the middle of work
    assert items >= acknowledged  # present = acknowledged, or a few more committed just before a kill


@pytest.mark.deep
def test_1000_kills_lose_nothing_acknowledged(tmp_path: Path) -> None:
    items, acknowledged = kill_rounds(tmp_path, rounds=1000, seed=8)
    assert items >= acknowledged
