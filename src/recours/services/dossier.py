"""Building the dossier (a PDF anyone can read, a bundle anyone can verify) and recording the
organisations the person turned to. ``recours dossier`` and the web page share this."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import BinaryIO, Literal, Protocol

from recours.domain.bundle import (
    CUSTODY_LOG,
    Manifest,
    Member,
    custody_log_bytes,
    evidence_manifest,
    item_path,
)
from recours.domain.chat.analysis import Analysis, BatchScanner, Filters, Scan
from recours.domain.common import Lang
from recours.domain.custody import Head, StoredEntry, head_of
from recours.domain.dossier import (
    Aliases,
    ChronologyEntry,
    ChronologyKind,
    Contact,
    HighlightedMessage,
    Selection,
    ShownItem,
    aliases_for,
    chronology,
    contacts_of,
    custody_seq_of_items,
    period_of,
    shown_details,
    snapshot,
    third_parties,
)
from recours.domain.evidence import IncidentRecord
from recours.domain.law import CaseFacts, Deadline, LawBook, Suggestion, compute_deadlines, suggest_offences
from recours.domain.signals import CATEGORIES
from recours.errors import BadInput
from recours.services import analysis as analysis_svc
from recours.services import vault as vault_svc
from recours.services.ports import EvidenceStore

DossierStep = Literal["gather", "analyse", "render", "bundle"]
# Records shown before and after each highlighted message.
CONTEXT_AROUND = 2
_MAX_FIELD = 500


@dataclass(frozen=True)
class DossierRequest:
    selection: Selection = field(default_factory=Selection)
    redact: bool = False
    person: str = ""  # the name on the cover; blank: a line to fill in by hand
    lang: Lang = "fr"
    # The whole custody log in the bundle: None decides (only for a dossier of the whole vault,
    # unredacted: the log names every item and incident); True or False says.
    custody_log: bool | None = None


@dataclass(frozen=True)
class Dossier:
    """Everything the PDF shows, gathered from the vault. When the request redacts, the
    renderer passes every name and text through ``aliases``."""

    request: DossierRequest
    generated_at: str
    vault_id: str
    head: Head
    person_is_minor: bool
    period: tuple[str, str] | None
    incidents: list[IncidentRecord]
    items: list[ShownItem]
    analysis: Analysis | None
    highlights: list[HighlightedMessage]
    contacts: list[Contact]
    chronology: list[ChronologyEntry]
    offences: list[Suggestion]
    deadlines: list[Deadline]
    aliases: Aliases
    # Whether the bundle holds the whole custody log (see DossierRequest.custody_log).
    custody_log_included: bool = False
    # The custody log as the dossier describes it (``snapshot``): read once, by ``gather``.
    custody: list[StoredEntry] = field(default_factory=list)


Progress = Callable[[DossierStep], None]


class DossierRenderer(Protocol):
    """What the service needs from the outside world to make the files."""

    def pdf(self, dossier: Dossier, manifest: bytes) -> bytes:
        """The dossier as PDF/A, with ``manifest`` (manifest.json) attached inside."""
        ...

    def without_metadata(self, data: bytes) -> bytes | None:
        """A copy of an image with its pixels only (None if it is not one)."""
        ...


@dataclass(frozen=True)
class Built:
    """A dossier ready to save: its PDF and the bundle's members (the PDF among them)."""

    dossier: Dossier
    pdf: bytes
    members: list[Member]
    evidence: Manifest  # what the PDF carries inside it

    @property
    def generated_at(self) -> str:
        return self.dossier.generated_at


PDF_NAME = "dossier.pdf"
COPIES = "copies"


def add_contact(
    vault: EvidenceStore, now: datetime, *, organisation: str, on: date, reference: str = "", note: str = ""
) -> Contact:
    """Record that the person turned to an organisation (a report, a call, a complaint)."""
    organisation, reference, note = organisation.strip(), reference.strip(), note.strip()
    if not organisation:
        raise BadInput(
            "Indiquez l’organisme contacté (par exemple : 3018, Pharos, commissariat de Lyon).",
            "Give the organisation you contacted (for example: 3018, Pharos, Lyon police station).",
        )
    if max(len(organisation), len(reference), len(note)) > _MAX_FIELD:
        raise BadInput(
            f"Chaque champ tient en {_MAX_FIELD} caractères au plus.",
            f"Each field holds at most {_MAX_FIELD} characters.",
        )
    if on > now.date():
        raise BadInput("La date du contact est dans le futur.", "The date of the contact is in the future.")
    at = vault_svc.iso(now)
    vault.append_event(
        {
            "action": "contact",
            "at": at,
            "organisation": organisation,
            "on": on.isoformat(),
            "reference": reference,
            "note": note,
        }
    )
    return Contact(organisation, on.isoformat(), reference, note, at)


def contacts(vault: EvidenceStore) -> list[Contact]:
    return contacts_of(e.entry for e in vault.custody())


def gather(
    vault: EvidenceStore,
    request: DossierRequest,
    now: datetime,
    scan: Scan | BatchScanner,
    labels: Callable[[ChronologyKind], str],
    law: LawBook,
    on_step: Progress | None = None,
) -> Dossier:
    """What the dossier shows: the items, incidents and chats the selection keeps."""
    step = on_step or (lambda _: None)
    step("gather")
    selection = request.selection
    custody = snapshot(vault.custody())
    seq_of = custody_seq_of_items((e.seq, e.entry) for e in custody)
    live = vault_svc.list_items(vault)
    views = [v for v in live if selection.keeps_item(v.record, v.item.tags)]
    unknown = sorted(selection.items - {v.record.id for v in live})
    if unknown:
        raise BadInput(
            "Élément(s) inconnu(s) : " + ", ".join(unknown) + ". « recours list » donne les identifiants.",
            "Unknown item(s): " + ", ".join(unknown) + ". “recours list” gives the ids.",
        )
    kept_ids = frozenset(v.record.id for v in views)
    incidents = [
        i
        for i in vault_svc.list_incidents(vault)
        if (set(i.items) & kept_ids if selection.items else selection.keeps_day(i.occurred_at[:10]))
    ]
    chat_ids = frozenset(c.item_id for c in analysis_svc.chats(vault)) & kept_ids
    step("analyse")
    analysis = None
    if chat_ids:
        filters = Filters(since=selection.since, until=selection.until)
        analysis = analysis_svc.run(vault, scan, filters=filters, among=chat_ids)
    highlights = [
        h
        for h in analysis_svc.highlighted_in_context(vault, CONTEXT_AROUND, among=chat_ids)
        if selection.keeps_day(next(line.timestamp for line in h.lines if line.highlighted)[:10])
    ]
    aliases = Aliases()
    if request.redact:
        aliases = aliases_for(_third_parties(analysis, highlights, incidents), _person_label(request.lang))
    thumbnail_of = vault_svc.thumbnails(vault)
    blobs = {stored.record.id: stored.record.blob for stored, _, deleted in vault.items() if deleted is None}
    shown = [
        ShownItem(
            record=v.record,
            tags=tuple(v.item.tags),
            custody_seq=seq_of.get(v.record.id),
            details=shown_details(v.metadata, request.redact),
            preview=_preview(vault, v),
            bundle_path=None,
            thumbnail=_thumbnail(vault, blobs, thumbnail_of.get(v.record.id)),
        )
        for v in views
    ]
    found_contacts = [
        c for c in contacts_of(e.entry for e in custody) if selection.keeps_day(c.on) or selection.items
    ]
    raids = [
        (r.start, r.end, f"{labels('raid')} {', '.join(r.authors)} → {r.target or '?'}")
        for r in (analysis.raids if analysis else [])
    ]
    dated = chronology(
        incidents,
        shown,
        highlights,
        raids,
        found_contacts,
        {kind: labels(kind) for kind in ("incident", "evidence", "message", "raid", "contact")},
    )
    facts = case_facts(now.date(), analysis, incidents)
    offences = suggest_offences(facts, law)
    head = head_of(custody)
    whole_vault = selection == Selection() and not request.redact
    with_log = whole_vault if request.custody_log is None else request.custody_log
    return Dossier(
        request=request,
        # From the vault's state, not the clock: the same vault gives the same bundle, byte for
        # byte (the custody head moves with every change; an empty log has no time).
        generated_at=head.time or vault_svc.iso(now),
        vault_id=vault.vault_id,
        head=head,
        person_is_minor=vault_svc.minor_in(custody),
        period=period_of(e.at for e in dated if e.kind != "evidence") or period_of(e.at for e in dated),
        incidents=incidents,
        items=shown,
        analysis=analysis,
        highlights=highlights,
        contacts=found_contacts,
        chronology=dated,
        offences=offences,
        deadlines=compute_deadlines(facts, law, [s.offence.id for s in offences]),
        aliases=aliases,
        custody_log_included=with_log,
        custody=custody,
    )


def case_facts(today: date, analysis: Analysis | None, incidents: Sequence[IncidentRecord]) -> CaseFacts:
    """What the vault tells of the case, for the law: unknown stays unknown (None, empty)."""
    hostile = [s for s in analysis.signals if s.hostile] if analysis else []
    days = sorted(
        {date.fromisoformat(s.timestamp[:10]) for s in hostile}
        | {date.fromisoformat(i.occurred_at[:10]) for i in incidents}
    )
    days = [d for d in days if d <= today]
    online = True if analysis is not None or any(i.platform for i in incidents) else None
    return CaseFacts(
        today=today,
        # The analysis reads any scanner's categories as text; the law knows the pack's.
        categories=sorted({c for s in hostile if (c := s.main_hit.category) in CATEGORIES}),
        pile_on=bool(analysis.raids) if analysis is not None and hostile else None,
        online=online,
        first_act=days[0] if days else None,
        last_act=days[-1] if days else None,
    )


def build(
    vault: EvidenceStore,
    request: DossierRequest,
    now: datetime,
    scan: Scan | BatchScanner,
    labels: Callable[[ChronologyKind], str],
    law: LawBook,
    renderer: DossierRenderer,
    on_step: Progress | None = None,
) -> Built:
    """The dossier's PDF and the bundle's members; the caller saves them (CLI) or serves them
    (web). Records in the custody log that a dossier was made, with its manifest's hash."""
    step = on_step or (lambda _: None)
    dossier = gather(vault, request, now, scan, labels, law, step)
    members, items = _evidence_members(vault, dossier, renderer)
    if dossier.custody_log_included:
        members.append(Member(CUSTODY_LOG, "custody", custody_log_bytes(dossier.custody)))
    dossier = replace(dossier, items=items)
    evidence = evidence_manifest(
        members, vault_id=dossier.vault_id, generated_at=dossier.generated_at, custody=dossier.head
    )
    step("render")
    pdf = renderer.pdf(dossier, evidence.canonical())
    members.append(Member(PDF_NAME, "dossier", pdf))
    step("bundle")
    return Built(dossier, pdf, members, evidence)


def record_export(vault: EvidenceStore, built: Built, manifest: Manifest, now: datetime) -> None:
    """The custody log keeps a trace of every dossier that left the vault."""
    vault.append_event(
        {
            "action": "dossier",
            "at": vault_svc.iso(now),
            "manifest_sha256": hashlib.sha256(manifest.canonical()).hexdigest(),
            "files": len(manifest.files),
            "redacted": built.dossier.request.redact,
        }
    )


def _evidence_members(
    vault: EvidenceStore, dossier: Dossier, renderer: DossierRenderer
) -> tuple[list[Member], list[ShownItem]]:
    """The originals as stored, or, redacted, metadata-free copies of the images (the other
    files, which may name third parties, are withheld and listed as such)."""
    members: list[Member] = []
    items: list[ShownItem] = []
    for shown in dossier.items:
        record = shown.record
        common = {
            "item_id": record.id,
            "intake_time": record.added_at,
            "custody_seq": shown.custody_seq,
            "name": record.name,
            "media_type": record.mime,
        }
        if not dossier.request.redact:
            path = item_path(record.id, record.name)
            members.append(
                Member(
                    path,
                    "original",
                    _blob_writer(vault, record.blob),
                    sha256=record.sha256,
                    size=record.size,
                    **common,  # type: ignore[arg-type]
                )
            )
            items.append(replace(shown, bundle_path=path))
            continue
        copy = renderer.without_metadata(_read(vault, record.blob)) if record.mime.startswith("image/") else None
        if copy is None:
            items.append(replace(shown, withheld=True))
            continue
        path = item_path(record.id, record.name.rsplit(".", 1)[0] + ".png", folder=COPIES)
        members.append(
            Member(path, "redacted-copy", copy, source_sha256=record.sha256, **common)  # type: ignore[arg-type]
        )
        items.append(replace(shown, bundle_path=path))
    return members, items


def _thumbnail(vault: EvidenceStore, blobs: dict[str, str], thumbnail_id: str | None) -> bytes | None:
    blob = blobs.get(thumbnail_id) if thumbnail_id else None
    return _read(vault, blob) if blob else None


def _blob_writer(vault: EvidenceStore, blob: str) -> Callable[[BinaryIO], object]:
    return lambda out: vault.read_blob(blob, out)


def _read(vault: EvidenceStore, blob: str) -> bytes:
    buffer = io.BytesIO()
    vault.read_blob(blob, buffer)
    return buffer.getvalue()


def _third_parties(
    analysis: Analysis | None, highlights: Sequence[HighlightedMessage], incidents: Sequence[IncidentRecord]
) -> set[str]:
    names: set[str] = set()
    if analysis is not None:
        hostile = {s.author for s in analysis.signals if s.hostile}
        participants = [a.author for a in analysis.authors]
        participants += [line.author for h in highlights for line in h.lines if line.author]
        names |= third_parties(participants, hostile, analysis.me)
    names |= {w for i in incidents for w in i.witnesses}
    return names


def _person_label(lang: Lang) -> str:
    return "Person" if lang == "en" else "Personne"


def _preview(vault: EvidenceStore, view: vault_svc.ItemView) -> str | None:
    if view.record.kind not in ("note", "url"):
        return None
    return vault_svc.read_text_preview(vault, view, limit=4000)
