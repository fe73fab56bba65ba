"""Tamper suite: seeded mutations of a vault, each of which ``verify`` must report.

Classes (research B.10 T2a): bit flip / truncation / garbage appended / deletion of a blob,
swapped and duplicated blobs, a blob from another vault, custody entry edited / deleted /
reordered, item metadata edited, a flipped byte in the database, tail truncation and
rollback (those two only with a receipt). 1,000 mutations here, 10,000 in the deep suite.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from recours.adapters import vault_keys as keys
from recours.adapters.vault_store import DB_FILE, read_key_file
from recours.errors import VaultDamaged
from recours.services import vault as svc
from tests.vault_helpers import PASSPHRASE, fill, new_vault, reopen, tick

Mutation = Callable[[Path, random.Random], None]


def raw_db(path: Path) -> sqlcipher.Connection:
    """The vault database opened with its real key: what an attacker who knows the passphrase has."""
    master = keys.unwrap(read_key_file(path), passphrase=PASSPHRASE)
    assert master is not None
    connection = sqlcipher.connect(str(path / DB_FILE))
    connection.execute(f"PRAGMA key = \"x'{keys.derived(master, 'database').hex()}'\"")
    connection.execute("DROP TRIGGER IF EXISTS custody_no_update")
    connection.execute("DROP TRIGGER IF EXISTS custody_no_delete")
    return connection


def blobs(path: Path) -> list[Path]:
    return sorted(p for p in (path / "blobs").rglob("*") if p.is_file())


def flip_blob_bit(path: Path, rng: random.Random) -> None:
    blob = rng.choice(blobs(path))
    data = bytearray(blob.read_bytes())
    position = rng.randrange(len(data))
    data[position] ^= 1 << rng.randrange(8)
    blob.write_bytes(bytes(data))


def truncate_blob(path: Path, rng: random.Random) -> None:
    blob = rng.choice(blobs(path))
    data = blob.read_bytes()
    blob.write_bytes(data[: rng.randrange(len(data))])


def append_to_blob(path: Path, rng: random.Random) -> None:
    blob = rng.choice(blobs(path))
    blob.write_bytes(blob.read_bytes() + rng.randbytes(rng.randint(1, 100)))


def delete_blob(path: Path, rng: random.Random) -> None:
    rng.choice(blobs(path)).unlink()


def swap_blobs(path: Path, rng: random.Random) -> None:
    first, second = rng.sample(blobs(path), 2)
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)


def duplicate_blob(path: Path, rng: random.Random) -> None:
    first, second = rng.sample(blobs(path), 2)
    second.write_bytes(first.read_bytes())


def foreign_blob(path: Path, rng: random.Random) -> None:
    """Replace a blob by a valid blob of the other vault (same passphrase, same sizes)."""
    target = rng.choice(blobs(path))
    others = blobs(path.parent / "other")
    twin = next((o for o in others if o.stat().st_size == target.stat().st_size), rng.choice(others))
    target.write_bytes(twin.read_bytes())


def edit_custody_entry(path: Path, rng: random.Random) -> None:
    with raw_db(path) as db:
        seq, entry = rng.choice(db.execute("SELECT seq, entry FROM custody").fetchall())
        content = json.loads(entry)
        content["at"] = (
            "2026-01-01T00:00:00+01:00" if content.get("at") != "2026-01-01T00:00:00+01:00" else "x"
        )
        db.execute("UPDATE custody SET entry = ? WHERE seq = ?", (json.dumps(content), seq))


def delete_custody_entry(path: Path, rng: random.Random) -> None:
    with raw_db(path) as db:
        count = db.execute("SELECT count(*) FROM custody").fetchone()[0]
        db.execute("DELETE FROM custody WHERE seq = ?", (rng.randrange(1, count),))  # not the last one


def reorder_custody(path: Path, rng: random.Random) -> None:
    with raw_db(path) as db:
        count = db.execute("SELECT count(*) FROM custody").fetchone()[0]
        a, b = rng.sample(range(1, count + 1), 2)
        rows = {
            seq: db.execute("SELECT entry, prev_hash, hash FROM custody WHERE seq = ?", (seq,)).fetchone()
            for seq in (a, b)
        }
        for seq, other in ((a, b), (b, a)):
            db.execute(
                "UPDATE custody SET entry = ?, prev_hash = ?, hash = ? WHERE seq = ?", (*rows[other], seq)
            )


def edit_item_metadata(path: Path, rng: random.Random) -> None:
    column, value = rng.choice(
        [
            ("sha256", "0" * 64),
            ("size", 1),
            ("name", "autre-nom.png"),
            ("added_at", "2020-01-01T00:00:00+01:00"),
            ("metadata", '{"note": "ajoutée après coup"}'),
            ("mime", "text/plain"),
            ("tags", '["faux"]'),
            ("deleted_at", "2026-12-01T00:00:00+01:00"),
        ]
    )
    with raw_db(path) as db:
        item = rng.choice(db.execute("SELECT id FROM items").fetchall())[0]
        db.execute(f"UPDATE items SET {column} = ? WHERE id = ?", (value, item))  # noqa: S608 - test data


def edit_incident(path: Path, rng: random.Random) -> None:
    column, value = rng.choice(
        [
            ("description", "autre chose"),
            ("occurred_at", "2025-01-01T00:00:00+01:00"),
            ("author_handle", "@quelquun"),
            ("items", "[]"),
            ("witnesses", '["X"]'),
        ]
    )
    with raw_db(path) as db:
        db.execute(f"UPDATE incidents SET {column} = ?", (value,))  # noqa: S608 - test data


def flip_database_byte(path: Path, rng: random.Random) -> None:
    db_file = path / DB_FILE
    data = bytearray(db_file.read_bytes())
    position = rng.randrange(len(data))
    data[position] ^= 1 << rng.randrange(8)
    db_file.write_bytes(bytes(data))


MUTATIONS: dict[str, Mutation] = {
    f.__name__: f
    for f in (
        flip_blob_bit,
        truncate_blob,
        append_to_blob,
        delete_blob,
        swap_blobs,
        duplicate_blob,
        foreign_blob,
        edit_custody_entry,
        delete_custody_entry,
        reorder_custody,
        edit_item_metadata,
        edit_incident,
        flip_database_byte,
    )
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("tamper")
    vault, _ = new_vault(base / "vault")
    fill(vault, count=5, size=2000)
    svc.set_tags(vault, svc.list_items(vault)[0].record.id, ["a"], tick(30))
    svc.add_incident(
        vault,
        tick(31),
        occurred_at=tick(-60),
        description="insultes",
        platform="Snapchat",
        witnesses=["Léa"],
        items=[svc.list_items(vault)[1].record.id],
    )
    vault.close()
    other, _ = new_vault(base / "other")
    fill(other, count=5, size=2000)
    other.close()
    return base


def detected(path: Path) -> bool:
    try:
        vault = reopen(path)
    except VaultDamaged:
        return True
    try:
        return not svc.verify(vault, read_data=True).clean
    except VaultDamaged:
        return True
    finally:
        vault.close()


def run_mutations(pristine: Path, workdir: Path, count: int, seed: int) -> dict[str, list[int]]:
    """Apply ``count`` seeded mutations, each to a fresh copy; return the undetected ones by class."""
    rng = random.Random(seed)
    missed: dict[str, list[int]] = {}
    names = sorted(MUTATIONS)
    for number in range(count):
        name = names[number % len(names)]
        target = workdir / f"m{number}"
        shutil.copytree(pristine / "vault", target / "vault")
        shutil.copytree(pristine / "other", target / "other")
        MUTATIONS[name](target / "vault", rng)
        if not detected(target / "vault"):
            missed.setdefault(name, []).append(number)
        shutil.rmtree(target)
    return missed


def test_the_pristine_vault_verifies(pristine: Path) -> None:
    assert not detected(pristine / "vault")


def test_every_mutation_is_detected(pristine: Path, tmp_path: Path) -> None:
    assert run_mutations(pristine, tmp_path, count=1000, seed=20261128) == {}


@pytest.mark.deep
def test_every_mutation_is_detected_deep(pristine: Path, tmp_path: Path) -> None:
    assert run_mutations(pristine, tmp_path, count=10_000, seed=1) == {}


def test_tail_truncation_is_detected_with_a_receipt_only(pristine: Path, tmp_path: Path) -> None:
    target = tmp_path / "vault"
    shutil.copytree(pristine / "vault", target)
    vault = reopen(target)
    last = svc.add_note(vault, "le dernier message reçu", tick(40)).record
    kept = svc.receipt(vault)
    vault.close()
    with raw_db(target) as db:  # remove the last item and its custody entry, leaving a valid shorter chain
        db.execute("DELETE FROM items WHERE id = ?", (last.id,))
        db.execute("DELETE FROM custody WHERE seq = (SELECT max(seq) FROM custody)")
    vault = reopen(target)
    # Without the receipt, a clean cut cannot be seen (research B.9 D3) …
    assert svc.verify(vault, read_data=True).clean
    # … with it, it is.
    report = svc.verify(vault, receipt=kept)
    assert not report.clean
    assert "retirées à la fin" in report.problems[0].fr
    vault.close()
