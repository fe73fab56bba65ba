"""Analysing the chats kept in the vault, and marking messages for the dossier."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from recours.domain.chat import records
from recours.domain.chat.analysis import (
    DEFAULT_RAID_RULE,
    NO_FILTERS,
    Analysis,
    BatchScanner,
    ChatColumns,
    Filters,
    RaidRule,
    Scan,
    analyse,
)
from recours.domain.dossier import ContextLine, HighlightedMessage, context_window
from recours.errors import BadInput, ItemNotFound
from recours.services import chat as chat_svc
from recours.services import vault as vault_svc
from recours.services.ports import EvidenceStore


@dataclass(frozen=True)
class ChatImport:
    """One imported export: the vault item that keeps it and what the import found."""

    item_id: str
    name: str
    format: str
    at: str
    entries: int
    stored: int
    me: str | None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def chats(vault: EvidenceStore) -> list[ChatImport]:
    """Every export imported into the vault, oldest first (deleted items left out)."""
    names = {stored.record.id: stored.record.name for stored, _, deleted in vault.items() if deleted is None}
    found = []
    for entry in vault.custody("import"):
        event = entry.entry
        if event.get("item") in names:
            found.append(
                ChatImport(
                    item_id=event["item"],
                    name=names[event["item"]],
                    format=event.get("format", ""),
                    at=event.get("at", ""),
                    entries=int(event.get("parsed", 0)),
                    stored=int(event.get("stored", 0)),
                    me=event.get("me"),
                )
            )
    return found


def run(
    vault: EvidenceStore,
    scan: Scan | BatchScanner,
    *,
    chat: str | None = None,
    me: str | None = None,
    filters: Filters = NO_FILTERS,
    raid_rule: RaidRule = DEFAULT_RAID_RULE,
    among: frozenset[str] | None = None,
) -> Analysis:
    """Analyse one imported chat (``chat``: its item id) or, by default, every chat together
    (or those whose item id is in ``among``: the chats a dossier keeps).

    ``scan``: the signal matcher (it scans the whole chat at once), or a scanner of one text.
    ``me`` defaults to the name given at the latest import of the analysed chats.
    """
    imports = chats(vault)
    if among is not None:
        imports = [c for c in imports if c.item_id in among]
    if chat is not None:
        imports = [c for c in imports if c.item_id == chat]
        if not imports:
            raise ItemNotFound(
                f"Aucune discussion importée n’a l’identifiant « {chat} ». « recours analyse --list » "
                "donne la liste.",
                f"No imported chat has the id “{chat}”. “recours analyse --list” lists them.",
            )
    if not imports:
        raise BadInput(
            "Aucune discussion n’a encore été importée. Importez d’abord un export avec « recours import ».",
            "No chat has been imported yet. Import an export first with “recours import”.",
        )
    if me is None:
        me = next((c.me for c in reversed(imports) if c.me), None)
    marked = vault.highlights()
    # Without the collector's pauses: each would walk every record read (~0.1 s of 200,000). The
    # records are let go before it is back: its first pass walks what is still alive.
    with chat_svc.bulk_work():
        with _reading(scan):
            columns = _columns(vault, [c.item_id for c in imports])
        found = analyse(columns, scan, me=me, filters=filters, raid_rule=raid_rule, highlights=marked)
        del columns
    return found


@runtime_checkable
class _WarmsUp(Protocol):
    """A scanner with work to do before the texts are at hand (adapters/parallel_scan.py)."""

    def warming(self) -> AbstractContextManager[None]: ...


def _reading(scan: object) -> AbstractContextManager[None]:
    """While the records are read: the scanner's warm-up, if it has one."""
    return scan.warming() if isinstance(scan, _WarmsUp) else nullcontext()


def highlighted_in_context(
    vault: EvidenceStore, around: int = 2, among: frozenset[str] | None = None
) -> list[HighlightedMessage]:
    """Each message marked for the dossier, with the ``around`` records before and after it,
    in the order of the chats and of their records."""
    marked = vault.highlights()
    wanted = sorted({item for item, _ in marked if among is None or item in among})
    stored = chat_svc.stored_columns(vault, wanted, ("timestamp", "author", "text"))
    found = []
    for (item, position), (note, _at) in sorted(marked.items()):
        columns = stored.get(item)
        if columns is None or not 0 <= position < records.count(columns):
            continue
        lines = tuple(
            ContextLine(
                columns["author"][i], columns["timestamp"][i], columns["text"][i], highlighted=i == position
            )
            for i in context_window(records.count(columns), position, around)
        )
        found.append(HighlightedMessage(f"{item}#{position}", note, lines))
    return found


def parse_ref(ref: str) -> tuple[str, int]:
    """``ITEM#POSITION`` (as shown by the analysis) → its two parts."""
    item, _, position = ref.strip().rpartition("#")
    if not item or not position.isdigit():
        raise BadInput(
            f"Référence de message non valable : « {ref} » (attendu : ÉLÉMENT#NUMÉRO, comme dans l’analyse).",
            f"Invalid message reference: “{ref}” (expected ITEM#NUMBER, as in the analysis).",
        )
    return item, int(position)


def set_highlight(vault: EvidenceStore, ref: str, now: datetime, note: str | None = "") -> None:
    """Mark a message for the dossier (``note`` may be empty), or unmark it (``note=None``)."""
    item, position = parse_ref(ref)
    # The import's custody entry says how many records it stored (verify checks the document
    # against it): no need to read the records themselves.
    stored = next((c.stored for c in chats(vault) if c.item_id == item), 0)
    if not 0 <= position < stored:
        raise ItemNotFound(
            f"Aucun message « {ref} » dans les discussions importées.",
            f"No message “{ref}” in the imported chats.",
        )
    if note is None and (item, position) not in vault.highlights():
        return  # nothing to unmark: no custody entry for a no-op
    vault.set_highlight(
        item,
        position,
        note,
        {
            "action": "highlight" if note is not None else "unhighlight",
            "at": vault_svc.iso(now),
            "item": item,
            "position": position,
            **({"note": note} if note else {}),
        },
    )


def _columns(vault: EvidenceStore, import_items: list[str]) -> ChatColumns:
    """The records of these imports, in this order, as the analysis reads them."""
    stored = chat_svc.stored_columns(vault, import_items, _ANALYSED)
    present = [item for item in import_items if item in stored]
    if len(present) == 1:  # one chat (nearly always): its columns as they are, not copied
        (item,) = present
        columns = stored[item]
        n = records.count(columns)
        return ChatColumns([item] * n, range(n), *(columns[name] for name in _ANALYSED))
    items: list[str] = []
    positions: list[int] = []
    joined: dict[str, list[Any]] = {name: [] for name in _ANALYSED}
    for item in present:
        columns = stored[item]
        n = records.count(columns)
        items += [item] * n
        positions += range(n)
        for name in _ANALYSED:
            joined[name] += columns[name]
    return ChatColumns(items, positions, *(joined[name] for name in _ANALYSED))


# The stored columns the analysis reads, in the order of ChatColumns after items and positions.
# records.decode_columns gives every document source_id and reply_to (None for one stored before).
_ANALYSED = ("timestamp", "author", "kind", "text", "source_id", "reply_to")
