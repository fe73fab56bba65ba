"""The custody log: an append-only hash chain over canonical JSON entries.

Each entry is canonicalised with RFC 8785 (JSON Canonicalization Scheme) and chained:
``hash_n = SHA-256(bytes(hash_{n-1}) || JCS(entry_n))`` with ``hash_0`` = 32 zero bytes.
Editing, deleting or reordering any entry changes every later hash. A chain cannot by
itself reveal that its tail was cut or that an older copy was restored: the *receipt*
(count, head hash, time), kept outside the vault, anchors it (research B.9 D3).

Pure functions: no I/O, no clock (times are passed in as ISO 8601 text).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785

GENESIS = "0" * 64
RECEIPT_TITLE = "Recours — reçu du journal de preuves"
_RECEIPT_LINE = re.compile(r"^\s*(coffre|vault|entrées|entries|tête|head|heure|time)\s*:\s*(\S+)\s*$", re.I)


def canonical(entry: Mapping[str, Any]) -> bytes:
    return bytes(rfc8785.dumps(dict(entry)))


def entry_hash(previous: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(bytes.fromhex(previous) + canonical(entry)).hexdigest()


@dataclass(frozen=True)
class StoredEntry:
    """A custody entry as stored: its position, its content and the hashes recorded with it."""

    seq: int
    entry: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Head:
    count: int
    hash: str
    time: str


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    fr: str
    en: str


def chain_problems(entries: Sequence[StoredEntry]) -> list[ChainProblem]:
    """Every break in the chain: a gap or reordering, an edited entry, a broken link."""
    problems: list[ChainProblem] = []
    previous = GENESIS
    for position, stored in enumerate(entries, start=1):
        if stored.seq != position or stored.entry.get("seq") != position:
            problems.append(
                ChainProblem(
                    stored.seq,
                    f"L’entrée n° {stored.seq} du journal n’est pas à sa place (attendue : n° {position}) : "
                    "une entrée a été supprimée ou déplacée.",
                    f"Custody entry #{stored.seq} is out of place (expected #{position}): "
                    "an entry was deleted or moved.",
                )
            )
        if stored.prev_hash != previous:
            problems.append(
                ChainProblem(
                    stored.seq,
                    f"L’entrée n° {stored.seq} du journal ne suit pas la précédente.",
                    f"Custody entry #{stored.seq} does not follow the previous one.",
                )
            )
        if entry_hash(stored.prev_hash, stored.entry) != stored.hash:
            problems.append(
                ChainProblem(
                    stored.seq,
                    f"L’entrée n° {stored.seq} du journal a été modifiée après son enregistrement.",
                    f"Custody entry #{stored.seq} was changed after it was recorded.",
                )
            )
        previous = stored.hash
    return problems


def head_of(entries: Sequence[StoredEntry]) -> Head:
    if not entries:
        return Head(count=0, hash=GENESIS, time="")
    last = entries[-1]
    return Head(count=len(entries), hash=last.hash, time=str(last.entry.get("at", "")))


def receipt_text(vault_id: str, head: Head) -> str:
    """A short text the user can keep or send; ``verify --receipt`` reads it back."""
    return (
        f"{RECEIPT_TITLE}\n"
        f"coffre : {vault_id}\n"
        f"entrées : {head.count}\n"
        f"tête : {head.hash}\n"
        f"heure : {head.time}\n"
        "Gardez ce reçu hors du coffre (courriel à vous-même, papier). Il permet de prouver plus tard "
        "que le journal n’a été ni raccourci ni remplacé par une copie plus ancienne.\n"
    )


def parse_receipt(text: str) -> tuple[str, Head] | None:
    """(vault id, head) from a receipt, or None when the text is not one."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        match = _RECEIPT_LINE.match(line)
        if match:
            key = {"vault": "coffre", "entries": "entrées", "head": "tête", "time": "heure"}.get(
                match.group(1).lower(), match.group(1).lower()
            )
            fields[key] = match.group(2)
    try:
        count = int(fields["entrées"])
        head_hash = fields["tête"]
        vault_id = fields["coffre"]
    except (KeyError, ValueError):
        return None
    if count < 0 or not re.fullmatch(r"[0-9a-f]{64}", head_hash):
        return None
    return vault_id, Head(count=count, hash=head_hash, time=fields.get("heure", ""))


def receipt_problems(
    entries: Sequence[StoredEntry], vault_id: str, receipt: tuple[str, Head]
) -> list[ChainProblem]:
    """What a kept receipt reveals: another vault, a cut tail, or a rollback."""
    receipt_vault, head = receipt
    if receipt_vault != vault_id:
        return [ChainProblem(0, "Ce reçu concerne un autre coffre.", "This receipt is for another vault.")]
    if head.count > len(entries):
        return [
            ChainProblem(
                head.count,
                f"Le journal a {len(entries)} entrées alors que le reçu en attestait {head.count} : "
                "des entrées ont été retirées à la fin, ou une copie plus ancienne a été remise en place.",
                f"The log has {len(entries)} entries but the receipt attested {head.count}: entries were "
                "removed at the end, or an older copy was put back.",
            )
        ]
    if head.count and entries[head.count - 1].hash != head.hash:
        return [
            ChainProblem(
                head.count,
                f"L’entrée n° {head.count} ne correspond pas au reçu : le journal a été remplacé ou réécrit.",
                f"Entry #{head.count} does not match the receipt: the log was replaced or rewritten.",
            )
        ]
    return []
