"""What a dossier holds, chosen and put in order: pure functions over the vault's records.

A dossier is read by a police officer, a magistrate, a school head or a lawyer who has never
seen the vault. It says who asks, over which period, what happened (in the person's words,
then as a chronology), what each piece of evidence is and how to check it, what the chats
show, what was already done, and which offences the facts may concern — never as a verdict.

Nothing here reads a file or the clock: the service gathers the records and passes the time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from recours.domain.custody import StoredEntry
from recours.domain.evidence import IncidentRecord, ItemRecord

ChronologyKind = Literal["incident", "evidence", "message", "raid", "contact"]

# Metadata shown for an item; GPS and device fields only when the dossier is not redacted
# (the copies then carry none either, see ``services/dossier.py``).
_SHOWN_ALWAYS = ("width", "height", "exif_DateTimeOriginal", "url", "final_url", "status", "note")
_DEVICE_OR_PLACE = re.compile(r"^exif_(gps_|Make$|Model$|Software$|LensModel$|BodySerialNumber$|HostComputer$)")


@dataclass(frozen=True)
class Selection:
    """Which facts go in: a period (days, both included), some items, or a tag."""

    since: date | None = None
    until: date | None = None
    items: frozenset[str] = frozenset()
    tag: str | None = None

    def keeps_day(self, day: str) -> bool:
        """``day``: the YYYY-MM-DD of a timestamp, in its own time zone."""
        return (self.since is None or day >= self.since.isoformat()) and (
            self.until is None or day <= self.until.isoformat()
        )

    def keeps_item(self, record: ItemRecord, tags: Sequence[str]) -> bool:
        if self.items:
            return record.id in self.items
        if self.tag is not None and self.tag.casefold() not in (t.casefold() for t in tags):
            return False
        return self.keeps_day(record.added_at[:10])


@dataclass(frozen=True)
class Contact:
    """An organisation the person turned to (the 3018, Pharos, the police…) and its reference."""

    organisation: str
    on: str  # YYYY-MM-DD
    reference: str
    note: str
    recorded_at: str


@dataclass(frozen=True)
class ChronologyEntry:
    at: str  # ISO 8601, with its offset; a day alone for a contact
    kind: ChronologyKind
    text: str
    ref: str  # what to look up in the dossier: an item id, ITEM#N, an incident id


@dataclass(frozen=True)
class ContextLine:
    author: str | None
    timestamp: str
    text: str
    highlighted: bool = False


@dataclass(frozen=True)
class HighlightedMessage:
    ref: str
    note: str
    lines: tuple[ContextLine, ...]  # the message with the few before and after it


@dataclass(frozen=True)
class ShownItem:
    record: ItemRecord
    tags: tuple[str, ...]
    custody_seq: int | None
    details: tuple[tuple[str, str], ...]  # metadata shown, as text
    preview: str | None  # a note's or a URL's text
    bundle_path: str | None  # where the original (or its copy) is in the bundle
    withheld: bool = False  # left out of a redacted bundle: it may name third parties
    thumbnail: bytes | None = None  # a PNG made from the pixels alone (no EXIF): never the original


@dataclass
class Aliases:
    """Stable pseudonyms for the people a redacted dossier does not name."""

    by_name: dict[str, str] = field(default_factory=dict)

    def apply(self, text: str) -> str:
        if not self.by_name:
            return text
        return _alias_pattern(tuple(self.by_name)).sub(lambda m: self.by_name[_key(m[0], self.by_name)], text)

    def name(self, name: str | None) -> str | None:
        if name is None:
            return None
        return self.by_name.get(name, self.apply(name))


def aliases_for(third_parties: Iterable[str], label: str) -> Aliases:
    """``label`` + A, B, C… in the order the names sort (``label``: "Personne" / "Person")."""
    names = sorted({n for n in third_parties if n.strip()}, key=str.casefold)
    return Aliases({name: f"{label} {_letters(i)}" for i, name in enumerate(names)})


def _letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA…"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _alias_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so that "Léa Martin" is replaced whole before "Léa"; whole words only.
    ordered = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)", re.IGNORECASE)


def _key(found: str, names: Mapping[str, str]) -> str:
    folded = found.casefold()
    return next(name for name in names if name.casefold() == folded)


def third_parties(
    participants: Iterable[str | None], hostile_authors: Iterable[str | None], me: str | None
) -> set[str]:
    """People in the chats who are neither the person nor the author of a hostile message."""
    kept = {me, *hostile_authors}
    return {p for p in participants if p is not None and p not in kept}


def shown_details(metadata: Mapping[str, Any], redacted: bool) -> tuple[tuple[str, str], ...]:
    """The metadata worth printing: dates, sizes, sources; the device and the place unless redacted."""
    shown = []
    for key in sorted(metadata):
        value = metadata[key]
        if isinstance(value, dict | list) or value in (None, ""):
            continue
        exif = key.startswith("exif_")
        if key in _SHOWN_ALWAYS or (exif and not (redacted and _DEVICE_OR_PLACE.match(key))):
            shown.append((key, str(value)))
    return tuple(shown)


def has_device_or_place(metadata: Mapping[str, Any]) -> bool:
    return any(_DEVICE_OR_PLACE.match(key) for key in metadata)


def custody_seq_of_items(entries: Iterable[tuple[int, Mapping[str, Any]]]) -> dict[str, int]:
    """Item id → position of the custody entry that added it."""
    return {str(entry["item"]): seq for seq, entry in entries if entry.get("action") == "add"}


def contacts_of(entries: Iterable[Mapping[str, Any]]) -> list[Contact]:
    """The contacts recorded in the custody log, in the order they were recorded."""
    return [
        Contact(
            organisation=str(e.get("organisation", "")),
            on=str(e.get("on", "")),
            reference=str(e.get("reference", "")),
            note=str(e.get("note", "")),
            recorded_at=str(e.get("at", "")),
        )
        for e in entries
        if e.get("action") == "contact"
    ]


def chronology(
    incidents: Sequence[IncidentRecord],
    items: Sequence[ShownItem],
    messages: Sequence[HighlightedMessage],
    raids: Sequence[tuple[str, str, str]],
    contacts: Sequence[Contact],
    labels: Mapping[ChronologyKind, str],
) -> list[ChronologyEntry]:
    """Every dated fact, oldest first. ``raids``: (start, end, description). ``labels``: the
    words that introduce each kind of entry, in the dossier's language."""
    entries = [
        ChronologyEntry(i.occurred_at, "incident", _one_line(i.description), i.id) for i in incidents
    ]
    entries += [
        ChronologyEntry(s.record.added_at, "evidence", f"{labels['evidence']} {s.record.name}", s.record.id)
        for s in items
    ]
    for message in messages:
        line = next(line for line in message.lines if line.highlighted)
        who = f"{line.author} : " if line.author else ""
        entries.append(ChronologyEntry(line.timestamp, "message", who + _one_line(line.text), message.ref))
    entries += [ChronologyEntry(start, "raid", text, f"{start} → {end}") for start, end, text in raids]
    entries += [
        ChronologyEntry(c.on, "contact", f"{labels['contact']} {c.organisation}", c.reference)
        for c in contacts
    ]
    return sorted(entries, key=lambda e: (e.at, e.kind, e.ref))


def _one_line(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def context_window(count: int, position: int, around: int) -> range:
    """The positions shown with a highlighted message: ``around`` before and after it."""
    return range(max(0, position - around), min(count, position + around + 1))


def snapshot(entries: Sequence[StoredEntry]) -> list[StoredEntry]:
    """The custody log as a dossier describes it: without the entries that record earlier
    dossiers at its end, so that exporting again an unchanged vault gives the same bytes."""
    end = len(entries)
    while end and entries[end - 1].entry.get("action") == "dossier":
        end -= 1
    return list(entries[:end])


def period_of(stamps: Iterable[str]) -> tuple[str, str] | None:
    """First and last day of the facts (YYYY-MM-DD), or None when there are none."""
    days = sorted(stamp[:10] for stamp in stamps if stamp)
    return (days[0], days[-1]) if days else None
