"""Evidence items and what the custody log says about them.

An item is immutable once added (originals are sacred, research B.9 D7): its record — id,
kind, original name, size, SHA-256 of the original bytes, the encrypted blob that holds
them and that blob's own hash — goes into the custody log at intake. Only its tags can
change, and it can be deleted; both are custody entries too. Verification replays the log
and compares it with what the database and the blob folder hold now.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy

from recours.domain.custody import StoredEntry, canonical

ItemKind = Literal["file", "note", "url", "thumbnail"]
# Derived artefacts: kept and verified like any item, listed with their original, not alone.
DERIVED_KINDS = frozenset({"thumbnail"})
ITEM_FIELDS = (
    "id",
    "kind",
    "name",
    "size",
    "sha256",
    "blob",
    "blob_size",
    "mime",
    "added_at",
    "metadata_sha256",
)
_TAG = re.compile(r"^[\w@#][\w .:@/+#-]{0,63}$", re.UNICODE)


@dataclass(frozen=True)
class BlobWritten:
    """What writing an encrypted blob reports: its id and size, the original's size and hash.

    No hash of the ciphertext is kept: age authenticates every chunk, and the SHA-256 of the
    decrypted original is what proves an item unchanged (``verify --read-data``).
    """

    blob: str
    size: int
    sha256: str
    blob_size: int
    head: bytes  # the first bytes of the original, to sniff its type


@dataclass(frozen=True)
class ItemRecord:
    """The immutable facts of an item, as the custody log records them."""

    id: str
    kind: ItemKind
    name: str
    size: int
    sha256: str
    blob: str
    blob_size: int
    mime: str
    added_at: str
    metadata_sha256: str

    def as_entry(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ITEM_FIELDS}


INCIDENT_FIELDS = (
    "id",
    "occurred_at",
    "platform",
    "author_handle",
    "author_url",
    "description",
    "witnesses",
    "items",
    "recorded_at",
)


@dataclass(frozen=True)
class IncidentRecord:
    """A journal entry: what happened, when, where, who did it, who saw it, and the evidence."""

    id: str
    occurred_at: str
    platform: str
    author_handle: str
    author_url: str
    description: str
    witnesses: tuple[str, ...]
    items: tuple[str, ...]
    recorded_at: str

    def as_entry(self) -> dict[str, Any]:
        entry = {name: getattr(self, name) for name in INCIDENT_FIELDS}
        entry["witnesses"], entry["items"] = list(self.witnesses), list(self.items)
        return entry

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> IncidentRecord:
        values = {name: entry[name] for name in INCIDENT_FIELDS}
        values["witnesses"], values["items"] = tuple(entry["witnesses"]), tuple(entry["items"])
        return cls(**values)


@dataclass
class ItemState:
    """An item as the custody log says it should be now."""

    record: ItemRecord
    tags: list[str] = field(default_factory=list)
    deleted: bool = False


@dataclass(frozen=True)
class Problem:
    """Something verification found, in plain words; ``notice`` ones are harmless."""

    fr: str
    en: str
    notice: bool = False


def metadata_digest(metadata: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(metadata)).hexdigest()


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed, de-duplicated, sorted tags; raises ValueError on one that cannot be a tag."""
    cleaned = []
    for tag in tags:
        tag = " ".join(tag.split())
        if not _TAG.match(tag):
            raise ValueError(tag)
        cleaned.append(tag)
    return sorted(set(cleaned), key=str.casefold)


@dataclass
class Replayed:
    """What the custody log says the vault holds."""

    items: dict[str, ItemState] = field(default_factory=dict)
    incidents: dict[str, IncidentRecord] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def replay_all(entries: Sequence[StoredEntry]) -> Replayed:
    """Items and incidents as the log says they should be, and the log's own inconsistencies."""
    items, problems = replay(entries)
    incidents: dict[str, IncidentRecord] = {}
    for stored in entries:
        if stored.entry.get("action") == "incident":
            try:
                record = IncidentRecord.from_entry(stored.entry["record"])
            except (KeyError, TypeError):
                problems.append(_bad_entry(stored.seq))
                continue
            incidents[record.id] = record
    return Replayed(items, incidents, problems)


def incident_problems(
    expected: Mapping[str, IncidentRecord], stored: Sequence[IncidentRecord]
) -> list[Problem]:
    rows = {incident.id: incident for incident in stored}
    problems = []
    for incident_id, record in expected.items():
        row = rows.get(incident_id)
        if row is None:
            problems.append(
                Problem(
                    f"L’incident {incident_id} est dans le journal mais a disparu de la base.",
                    f"Incident {incident_id} is in the log but gone from the database.",
                )
            )
        elif row != record:
            problems.append(
                Problem(
                    f"L’incident {incident_id} a été modifié après son enregistrement.",
                    f"Incident {incident_id} was changed after it was recorded.",
                )
            )
    for incident_id in rows.keys() - expected.keys():
        problems.append(
            Problem(
                f"L’incident {incident_id} est dans la base mais pas dans le journal.",
                f"Incident {incident_id} is in the database but not in the log.",
            )
        )
    return problems


def highlight_problems(
    entries: Sequence[StoredEntry], stored: Mapping[tuple[str, int], tuple[str, str]]
) -> list[Problem]:
    """Compare the marked messages (table ``highlights``) with the marks the log recorded."""
    expected: dict[tuple[str, int], str] = {}
    for entry in (e.entry for e in entries):
        key = (str(entry.get("item")), int(entry.get("position", -1)))
        if entry.get("action") == "highlight":
            expected[key] = str(entry.get("note", ""))
        elif entry.get("action") == "unhighlight":
            expected.pop(key, None)
    found = {key: note for key, (note, _) in stored.items()}
    if found == expected:
        return []
    changed = sorted(f"{item}#{position}" for item, position in expected.keys() ^ found.keys())
    changed += sorted(
        f"{item}#{position}"
        for (item, position) in expected.keys() & found.keys()
        if expected[(item, position)] != found[(item, position)]
    )
    return [
        Problem(
            "Les messages marqués pour le dossier ne correspondent pas au journal : " + ", ".join(changed),
            "The messages marked for the dossier do not match the log: " + ", ".join(changed),
        )
    ]


def replay(entries: Sequence[StoredEntry]) -> tuple[dict[str, ItemState], list[Problem]]:
    """The state of every item according to the log, and the log's own inconsistencies."""
    items: dict[str, ItemState] = {}
    problems: list[Problem] = []
    for stored in entries:
        entry = stored.entry
        action = entry.get("action")
        item_id = str(entry.get("item", ""))
        if action == "add":
            try:
                record = ItemRecord(**{name: entry["record"][name] for name in ITEM_FIELDS})
            except (KeyError, TypeError):
                problems.append(_bad_entry(stored.seq))
                continue
            if record.id in items:
                problems.append(
                    Problem(
                        f"L’élément {record.id} est ajouté deux fois dans le journal (entrée n° {stored.seq}).",
                        f"Item {record.id} is added twice in the log (entry #{stored.seq}).",
                    )
                )
            items[record.id] = ItemState(record=record, tags=list(entry.get("tags", [])))
        elif action in ("tags", "delete"):
            state = items.get(item_id)
            if state is None or state.deleted:
                problems.append(
                    Problem(
                        f"L’entrée n° {stored.seq} concerne un élément absent ou déjà supprimé ({item_id}).",
                        f"Entry #{stored.seq} is about a missing or already deleted item ({item_id}).",
                    )
                )
                continue
            if action == "tags":
                state.tags = list(entry.get("tags", []))
            else:
                state.deleted = True
        elif action not in (
            "create",
            "profile",
            "passphrase",
            "incident",
            "import",
            "highlight",
            "unhighlight",
            "contact",
            "dossier",
        ):
            problems.append(_bad_entry(stored.seq))
    return items, problems


def _bad_entry(seq: int) -> Problem:
    return Problem(f"L’entrée n° {seq} du journal est illisible.", f"Custody entry #{seq} is unreadable.")


@dataclass(frozen=True)
class StoredItem:
    """An item as the database holds it now."""

    record: ItemRecord
    tags: list[str]
    deleted: bool


def state_problems(
    expected: Mapping[str, ItemState], stored: Sequence[StoredItem], blobs: Mapping[str, int]
) -> list[Problem]:
    """Compare the log's account with the database rows and the blob files (name → size)."""
    problems: list[Problem] = []
    rows = {item.record.id: item for item in stored}
    for item_id, state in expected.items():
        row = rows.get(item_id)
        name = state.record.name
        if row is None:
            problems.append(
                Problem(
                    f"L’élément {item_id} (« {name} ») est dans le journal mais a disparu de la base.",
                    f"Item {item_id} (“{name}”) is in the log but gone from the database.",
                )
            )
            continue
        if row.record != state.record:
            changed = [f for f in ITEM_FIELDS if getattr(row.record, f) != getattr(state.record, f)]
            problems.append(
                Problem(
                    f"Les informations de l’élément {item_id} ont été modifiées ({', '.join(changed)}).",
                    f"The details of item {item_id} were changed ({', '.join(changed)}).",
                )
            )
        if sorted(row.tags) != sorted(state.tags):
            problems.append(
                Problem(
                    f"Les étiquettes de l’élément {item_id} ne correspondent pas au journal.",
                    f"The tags of item {item_id} do not match the log.",
                )
            )
        if row.deleted != state.deleted:
            problems.append(
                Problem(
                    f"L’état supprimé/présent de l’élément {item_id} ne correspond pas au journal.",
                    f"The deleted/present state of item {item_id} does not match the log.",
                )
            )
        if state.deleted:
            continue
        size = blobs.get(state.record.blob)
        if size is None:
            problems.append(
                Problem(
                    f"Le fichier chiffré de l’élément {item_id} (« {name} ») est manquant.",
                    f"The encrypted file of item {item_id} (“{name}”) is missing.",
                )
            )
        elif size != state.record.blob_size:
            problems.append(
                Problem(
                    f"Le fichier chiffré de l’élément {item_id} (« {name} ») n’a plus la bonne taille.",
                    f"The encrypted file of item {item_id} (“{name}”) no longer has the right size.",
                )
            )
    for item_id in rows.keys() - expected.keys():
        problems.append(
            Problem(
                f"L’élément {item_id} est dans la base mais pas dans le journal : il a été ajouté en dehors de Recours.",
                f"Item {item_id} is in the database but not in the log: it was added outside Recours.",
            )
        )
    live_blobs = {s.record.blob for s in expected.values() if not s.deleted}
    orphans = sorted(set(blobs) - live_blobs)
    if orphans:
        problems.append(
            Problem(
                f"{len(orphans)} fichier(s) chiffré(s) sans élément (reste d’un ajout interrompu, sans danger). "
                "« recours repair » les supprime.",
                f"{len(orphans)} encrypted file(s) with no item (left by an interrupted add, harmless). "
                "“recours repair” removes them.",
                notice=True,
            )
        )
    return problems


def orphan_blobs(expected: Mapping[str, ItemState], blobs: Iterable[str]) -> list[str]:
    live = {s.record.blob for s in expected.values() if not s.deleted}
    return sorted(set(blobs) - live)


# PDQ's own threshold for "the same picture" (ThreatExchange PDQ documentation: distance ≤ 31
# out of 256 bits); screenshots of the same screen differ by far less.
PDQ_SAME_PICTURE = 31


def near_duplicates(hashes: Mapping[str, str], threshold: int = PDQ_SAME_PICTURE) -> list[list[str]]:
    """Groups (2 or more item ids) of images whose PDQ hashes are within ``threshold`` bits.

    Every pair is compared (PDQ distances are not transitive), row by row with numpy: a
    256-bit hash is four 64-bit words, XORed and bit-counted for all later hashes at once
    (10,000 images: 50 million pairs in about half a second, against a minute pair by pair).
    """
    ids = sorted(hashes)
    if len(ids) < 2:
        return []
    words = numpy.array(
        [[int(hashes[i][k : k + 16], 16) for k in range(0, 64, 16)] for i in ids], dtype=numpy.uint64
    )
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for first in range(len(ids) - 1):
        distances = numpy.bitwise_count(words[first + 1 :] ^ words[first]).sum(axis=1)
        for offset in numpy.flatnonzero(distances <= threshold):
            parent[root(first + 1 + int(offset))] = root(first)
    groups: dict[int, list[str]] = {}
    for index, item_id in enumerate(ids):
        groups.setdefault(root(index), []).append(item_id)
    return [g for g in groups.values() if len(g) > 1]


def import_problems(entries: Sequence[StoredEntry], stored: Mapping[str, tuple[int, str]]) -> list[Problem]:
    """Compare the chat records of each import (count, SHA-256 of the stored document) with
    what the log recorded."""
    problems = []
    expected = {str(e.entry.get("item")): e.entry for e in entries if e.entry.get("action") == "import"}
    for item_id, entry in expected.items():
        count, sha256 = stored.get(item_id, (0, ""))
        if count != entry.get("stored") or sha256 != entry.get("records_sha256"):
            problems.append(
                Problem(
                    f"Les messages importés de l’élément {item_id} ont été modifiés après l’import.",
                    f"The messages imported from item {item_id} were changed after the import.",
                )
            )
    for item_id in stored.keys() - expected.keys():
        problems.append(
            Problem(
                f"Des messages sont rattachés à l’élément {item_id} sans import noté dans le journal.",
                f"Messages are attached to item {item_id} with no import in the log.",
            )
        )
    return problems
