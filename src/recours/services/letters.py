"""Drafting a letter: the values the vault already knows, the person's edits, the file.

``recours draft`` and the letters pages share this module. The steps:

1. :func:`values_from_vault` fills what the vault knows (the journal, the evidence and its
   SHA-256, the addresses, the authors, the steps already taken, the offences that may
   apply). Anything else stays empty and shows in the letter as a visible blank.
2. :func:`edit` (or :func:`apply_edits`) replaces fields with what the person typed: one
   text per field, from ``--set FIELD=VALUE`` or a form. Every problem is reported with the
   field it concerns, in French and English.
3. :func:`draft` makes the file: plain text here, DOCX and PDF through the renderer passed in
   (services cannot import the adapters or the web layer, ARCHITECTURE.md).

Each field has one text form, the same on the command line and in the form: a date is
``2026-03-01`` (``01/03/2026`` is read too), a yes/no is ``oui``/``non``, a list is one item per
line with its columns separated by ``|``. A list the person did not change keeps the exact
values of the vault (the times of intake with their offsets, the hashes): only a field whose
text differs from the vault's is read again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args

from recours.domain.chat.analysis import Analysis, BatchScanner, Scan
from recours.domain.common import Lang, Text
from recours.domain.evidence import IncidentRecord
from recours.domain.law import LawBook, suggest_offences
from recours.domain.letters import (
    LETTER_KINDS,
    Author,
    ContentRef,
    EvidenceRef,
    Letter,
    LetterTemplate,
    LetterTemplates,
    LetterValues,
    OffenceRef,
    ReportRef,
    as_text,
    clean_value,
    fill,
    format_date,
)
from recours.errors import BadInput
from recours.services import analysis as analysis_svc
from recours.services import vault as vault_svc
from recours.services.dossier import case_facts, contacts
from recours.services.ports import EvidenceStore

LetterFormat = Literal["txt", "docx", "pdf"]
LETTER_FORMATS: tuple[LetterFormat, ...] = get_args(LetterFormat)
MEDIA_TYPES: Mapping[LetterFormat, str] = {
    "txt": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

# File names say what the document is, never whom it concerns (ARCHITECTURE.md, security).
_FILE_STEMS: Mapping[str, str] = {
    "plainte": "lettre-plainte",
    "pharos": "lettre-pharos",
    "platform-notice": "lettre-plateforme",
    "erasure": "lettre-effacement",
    "cnil-complaint": "lettre-cnil",
    "school": "lettre-ecole",
    "witness": "attestation-temoin",
}


def file_name(kind: str, fmt: LetterFormat) -> str:
    """A neutral file name: ``lettre-plainte.pdf``."""
    return f"{_FILE_STEMS.get(kind, 'lettre')}.{fmt}"


# ---------------------------------------------------------------------------------------------
# The fields a person can edit.
# ---------------------------------------------------------------------------------------------

# line: one line of text; text: several lines (an address, an account of the facts);
# date; yes_no; lines: one value per line; table: one item per line, columns split by "|".
FieldKind = Literal["line", "text", "date", "yes_no", "lines", "table"]

_DATES = frozenset(
    {
        "person_birth_date",
        "child_birth_date",
        "written_on",
        "first_date",
        "last_date",
        "request_date",
        "witness_birth_date",
    }
)
_YES_NO = frozenset({"was_minor", "reporter_is_victim"})
_LONG = frozenset(
    {
        "person_address",
        "recipient_address",
        "facts",
        "reasons",
        "request_outcome",
        "witness_address",
        "witness_facts",
    }
)

# The columns of each list, in the order they are written on a line.
_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "authors": ("handle", "profile_url", "platform", "name"),
    "evidence": ("item_id", "title", "kind"),
    "urls": ("url", "published_at", "description"),
    "offences": ("title", "articles"),
    "reports": ("service", "made_on", "reference"),
}

# Labels of the fields a template does not label itself (lists, yes/no facts), and the
# fallback for the others. A template's own label wins: it was written for that letter.
_LABELS: Mapping[str, Text] = {
    "person_name": Text(fr="Vos nom et prénom", en="Your full name"),
    "person_address": Text(fr="Votre adresse postale", en="Your postal address"),
    "person_birth_date": Text(fr="Votre date de naissance", en="Your date of birth"),
    "person_email": Text(fr="Votre adresse e-mail", en="Your e-mail address"),
    "person_account": Text(fr="Votre compte sur la plateforme", en="Your account on the platform"),
    "child_name": Text(fr="Nom et prénom de votre enfant", en="Your child’s full name"),
    "child_birth_date": Text(fr="Date de naissance de votre enfant", en="Your child’s date of birth"),
    "child_class": Text(fr="Classe de votre enfant", en="Your child’s class"),
    "was_minor": Text(
        fr="Vous étiez mineur(e) quand les données ont été collectées",
        en="You were a minor when the data was collected",
    ),
    "place": Text(fr="Ville où vous écrivez", en="Town where you are writing"),
    "written_on": Text(fr="Date de la lettre", en="Date of the letter"),
    "court_city": Text(fr="Ville du tribunal judiciaire", en="Town of the tribunal judiciaire"),
    "organisation": Text(fr="Organisme destinataire", en="Receiving organisation"),
    "recipient_address": Text(fr="Adresse du destinataire", en="Address of the recipient"),
    "school_name": Text(fr="Nom de l’établissement", en="Name of the school"),
    "facts": Text(fr="Récit des faits", en="Account of the facts"),
    "first_date": Text(fr="Date du premier fait", en="Date of the first incident"),
    "last_date": Text(fr="Date du fait le plus récent", en="Date of the most recent incident"),
    "platforms": Text(fr="Sites ou applications concernés", en="Websites or apps concerned"),
    "reasons": Text(fr="Vos raisons", en="Your reasons"),
    "authors": Text(fr="Les auteurs", en="The authors"),
    "evidence": Text(fr="Les preuves", en="The evidence"),
    "urls": Text(fr="Les adresses des contenus", en="The addresses of the content"),
    "offences": Text(fr="Les infractions qui peuvent s’appliquer", en="The offences that may apply"),
    "reports": Text(fr="Les démarches déjà faites", en="The steps already taken"),
    "pharos_category": Text(fr="Catégorie Pharos", en="Pharos category"),
    "reporter_is_victim": Text(fr="Vous êtes la victime", en="You are the victim"),
    "request_date": Text(fr="Date de votre demande", en="Date of your request"),
    "request_reference": Text(fr="Numéro de votre demande", en="Number of your request"),
    "request_outcome": Text(fr="Réponse reçue", en="Answer received"),
    "witness_name": Text(fr="Nom et prénoms du témoin", en="Witness’s surname and first names"),
    "witness_birth_date": Text(fr="Date de naissance du témoin", en="Witness’s date of birth"),
    "witness_birth_place": Text(fr="Lieu de naissance du témoin", en="Witness’s place of birth"),
    "witness_address": Text(fr="Adresse du témoin", en="Witness’s address"),
    "witness_occupation": Text(fr="Profession du témoin", en="Witness’s occupation"),
    "witness_relationship": Text(fr="Lien avec les parties", en="Link with the parties"),
    "witness_facts": Text(fr="Récit du témoin", en="Witness’s account"),
}

_DATE_HINT = Text(fr="Date : 2026-03-01 ou 01/03/2026.", en="Date: 2026-03-01 or 01/03/2026.")
_YES_NO_HINT = Text(fr="oui ou non ; vide si vous ne savez pas.", en="yes or no; empty if you do not know.")
_HINTS: Mapping[str, Text] = {
    "platforms": Text(fr="Un site ou une application par ligne.", en="One website or app per line."),
    "authors": Text(
        fr="Une personne par ligne : pseudonyme | adresse du profil | site ou application | nom, s’il est connu.",
        en="One person per line: username | profile address | website or app | name, if known.",
    ),
    "evidence": Text(
        fr="Une pièce par ligne : numéro | description | type. Vous pouvez retirer une pièce ou changer "
        "sa description. Pour en ajouter une, ajoutez-la d’abord au coffre.",
        en="One item per line: number | description | type. You can remove an item or change its "
        "description. To add one, first add it to the vault.",
    ),
    "urls": Text(
        fr="Un contenu par ligne : adresse (https://…) | date de publication | description.",
        en="One piece of content per line: address (https://…) | date of publication | description.",
    ),
    "offences": Text(
        fr="Une infraction par ligne : nom de l’infraction | articles de loi.",
        en="One offence per line: name of the offence | articles of law.",
    ),
    "reports": Text(
        fr="Une démarche par ligne : service contacté | date | numéro de référence.",
        en="One step per line: service contacted | date | reference number.",
    ),
}

MAX_LINE = 1000
MAX_TEXT = 20_000
MAX_LIST = 50_000
MAX_ROWS = 500


@dataclass(frozen=True)
class LetterField:
    """A value of the letter that the person can edit: its name (``--set NAME=…``, the form
    field), what it holds, and its label and hint in both languages."""

    name: str
    kind: FieldKind
    label: Text
    hint: Text | None

    @property
    def multiline(self) -> bool:
        return self.kind in ("text", "lines", "table")


def _kind_of(name: str) -> FieldKind:
    if name in _DATES:
        return "date"
    if name in _YES_NO:
        return "yes_no"
    if name == "platforms":
        return "lines"
    if name in _COLUMNS:
        return "table"
    return "text" if name in _LONG else "line"


def _capitalised(label: Text) -> Text:
    return Text(fr=label.fr[:1].upper() + label.fr[1:], en=label.en[:1].upper() + label.en[1:])


def fields_of(template: LetterTemplate) -> list[LetterField]:
    """The fields of a letter, in the order of :class:`LetterValues` (who writes, to whom,
    the facts, then the lists)."""
    used = template.value_names()
    found = []
    for name in LetterValues.model_fields:
        if name not in used:
            continue
        kind = _kind_of(name)
        declared = template.placeholders.get(name)
        label = _capitalised(declared) if declared is not None else _LABELS[name]
        hint = _DATE_HINT if kind == "date" else _YES_NO_HINT if kind == "yes_no" else _HINTS.get(name)
        found.append(LetterField(name, kind, label, hint))
    return found


def template_for(templates: LetterTemplates, kind: str) -> LetterTemplate:
    """The template of ``kind``, or the error that lists the kinds."""
    for known in LETTER_KINDS:
        if kind.strip().lower() == known:
            return templates.get(known)
    listed = ", ".join(LETTER_KINDS)
    raise BadInput(
        f"Type de lettre inconnu : « {kind} ». Types possibles : {listed} (« recours draft --list » les décrit).",
        f"Unknown kind of letter: “{kind}”. Possible kinds: {listed} (“recours draft --list” describes them).",
    )


# ---------------------------------------------------------------------------------------------
# What the vault knows.
# ---------------------------------------------------------------------------------------------

_CHAT_PLATFORMS: Mapping[str, Text] = {
    "whatsapp": Text(fr="WhatsApp", en="WhatsApp"),
    "instagram": Text(fr="Instagram", en="Instagram"),
    "messenger": Text(fr="Messenger", en="Messenger"),
    "telegram": Text(fr="Telegram", en="Telegram"),
    "snapchat": Text(fr="Snapchat", en="Snapchat"),
    "discord": Text(fr="Discord", en="Discord"),
    "signal": Text(fr="Signal", en="Signal"),
    "sms": Text(fr="SMS", en="SMS"),
    "email": Text(fr="courriel", en="e-mail"),
}

_ITEM_KINDS: Mapping[str, Text] = {
    "note": Text(fr="note", en="note"),
    "url": Text(fr="adresse web", en="web address"),
    "screenshot": Text(fr="capture d’écran de la page", en="screenshot of the page"),
    "mhtml": Text(fr="archive de la page (MHTML)", en="archive of the page (MHTML)"),
    "har": Text(fr="journal réseau de la page (HAR)", en="network log of the page (HAR)"),
    "chat": Text(fr="export de discussion", en="chat export"),
    "image": Text(fr="image", en="image"),
    "video": Text(fr="vidéo", en="video"),
    "audio": Text(fr="enregistrement audio", en="audio recording"),
    "pdf": Text(fr="document PDF", en="PDF document"),
    "message": Text(fr="courriel", en="e-mail"),
    "file": Text(fr="fichier", en="file"),
}


def _item_kind(view: vault_svc.ItemView, chat_items: frozenset[str]) -> str:
    record = view.record
    if record.kind in ("note", "url"):
        return record.kind
    capture = view.metadata.get("capture")
    if isinstance(capture, str) and capture in _ITEM_KINDS:
        return capture
    if record.id in chat_items:
        return "chat"
    for prefix in ("image", "video", "audio"):
        if record.mime.startswith(prefix + "/"):
            return prefix
    if record.mime == "application/pdf":
        return "pdf"
    if record.mime.startswith("message/"):
        return "message"
    return "file"


def _incident_line(incident: IncidentRecord, lang: Lang) -> str:
    """One incident of the journal, dated, in the person's own words."""
    description = incident.description.strip()
    try:
        moment = datetime.fromisoformat(incident.occurred_at)
    except ValueError:
        return description
    day = format_date(moment.date(), lang)
    platform = incident.platform.strip()
    if lang == "fr":
        where = f", sur {platform}" if platform else ""
        return f"Le {day} à {moment.hour} h {moment.minute:02d}{where} : {description}"
    where = f", on {platform}" if platform else ""
    return f"On {day} at {moment.hour:02d}:{moment.minute:02d}{where}: {description}"


def _key(*parts: str | None) -> tuple[str, ...]:
    return tuple((part or "").strip().casefold() for part in parts)


def _authors(
    incidents: Sequence[IncidentRecord], analysis: Analysis | None, platform_of: Mapping[str, str]
) -> list[Author]:
    """The journal's authors (handle, profile, platform), then the authors of hostile messages
    in the chats, each person once."""
    found: list[Author] = []
    seen: set[tuple[str, ...]] = set()
    for incident in incidents:
        if not (incident.author_handle or incident.author_url):
            continue
        key = _key(incident.author_handle, incident.author_url, incident.platform)
        if key in seen:
            continue
        seen.add(key)
        seen.add(_key(incident.author_handle, incident.platform))
        found.append(
            Author(
                handle=incident.author_handle or None,
                profile_url=incident.author_url or None,
                platform=incident.platform or None,
            )
        )
    if analysis is not None:
        for signal in analysis.signals:
            if not signal.hostile or signal.author is None or signal.author == analysis.me:
                continue
            platform = platform_of.get(signal.item)
            key = _key(signal.author, platform)
            if key in seen:
                continue
            seen.add(key)
            found.append(Author(handle=signal.author, platform=platform))
    return found


def _unique(values: Iterable[str]) -> list[str]:
    found: dict[str, str] = {}
    for value in values:
        if value.strip():
            found.setdefault(value.strip().casefold(), value.strip())
    return list(found.values())


def values_from_vault(
    vault: EvidenceStore,
    now: datetime,
    law: LawBook,
    scan: Scan | BatchScanner | None = None,
    lang: Lang = "fr",
) -> LetterValues:
    """What the vault knows for a letter in ``lang``.

    ``scan``: the signal matcher, to name the authors of hostile messages when chats were
    imported (as ``services.analysis.run`` takes it); ``None`` leaves the chats out.
    """
    incidents = vault_svc.list_incidents(vault)
    imports = analysis_svc.chats(vault)
    analysis = analysis_svc.run(vault, scan) if scan is not None and imports else None
    platform_of = {
        c.item_id: _CHAT_PLATFORMS[c.format].get(lang) if c.format in _CHAT_PLATFORMS else c.format
        for c in imports
    }
    facts = case_facts(now.date(), analysis, incidents)
    chat_items = frozenset(c.item_id for c in imports)
    views = vault_svc.list_items(vault)
    hostile_chats = {s.item for s in analysis.signals if s.hostile} if analysis is not None else set()
    witnesses = _unique(w for i in incidents for w in i.witnesses)
    return LetterValues(
        was_minor=True if vault_svc.person_is_minor(vault) else None,
        written_on=now.date(),
        facts="\n".join(_incident_line(i, lang) for i in incidents) or None,
        first_date=facts.first_act,
        last_date=facts.last_act,
        platforms=_unique(
            [i.platform for i in incidents]
            + [platform_of[c.item_id] for c in imports if c.item_id in hostile_chats]
        ),
        authors=_authors(incidents, analysis, platform_of),
        evidence=[
            EvidenceRef(
                item_id=v.record.id,
                sha256=v.record.sha256,
                received_at=datetime.fromisoformat(v.record.added_at),
                title=v.record.name,
                kind=_ITEM_KINDS[_item_kind(v, chat_items)].get(lang),
            )
            for v in views
        ],
        urls=[
            ContentRef(url=str(v.metadata.get("url") or v.record.name))
            for v in views
            if v.record.kind == "url"
        ],
        offences=[
            OffenceRef(
                title=s.offence.title.get(lang),
                articles=f"{s.offence.code}, art. {', '.join(s.offence.articles)}",
            )
            for s in suggest_offences(facts, law)
        ],
        reports=[
            ReportRef(service=c.organisation, reference=c.reference or None, made_on=date.fromisoformat(c.on))
            for c in contacts(vault)
        ],
        # A witness statement is for one witness: named only when the journal has one.
        witness_name=witnesses[0] if len(witnesses) == 1 else None,
    )


# ---------------------------------------------------------------------------------------------
# Fields as text, and the person's edits.
# ---------------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    # One item, one line; "|" separates the columns, so one inside a value is escaped.
    return " ".join(str(value).split()).replace("|", "\\|")


def field_text(values: LetterValues, name: str) -> str:
    """The text of a field, as the form and ``--set`` write it."""
    value = getattr(values, name)
    kind = _kind_of(name)
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else ""
    if kind == "yes_no":
        return "" if value is None else "oui" if value else "non"
    if kind == "lines":
        return "\n".join(_cell(v) for v in value)
    if kind == "table":
        rows = []
        for item in value:
            cells = [_cell(getattr(item, column)) for column in _COLUMNS[name]]
            while cells and not cells[-1]:
                cells.pop()
            rows.append(" | ".join(cells))
        return "\n".join(rows)
    return "" if value is None else str(value)


def _same(text: str, other: str) -> bool:
    def normal(value: str) -> str:
        return "\n".join(
            line.rstrip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        ).strip()

    return normal(text) == normal(other)


@dataclass(frozen=True)
class FieldProblem:
    """Why the text of one field cannot be used."""

    name: str
    message: Text


class _Refused(Exception):
    def __init__(self, fr: str, en: str) -> None:
        super().__init__(en)
        self.text = Text(fr=fr, en=en)


_DAY_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _day(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        found = _DAY_FR.fullmatch(text)
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        pass
    raise _Refused(
        f"Date non valable : « {text[:40]} ». Écrivez-la ainsi : 2026-03-01 ou 01/03/2026.",
        f"Invalid date: “{text[:40]}”. Write it like this: 2026-03-01 or 01/03/2026.",
    )


def _moment(text: str) -> datetime | date | None:
    """A day, or a time with its UTC offset (a letter to a court never guesses a time zone)."""
    text = text.strip()
    if "T" not in text and " " not in text:
        return _day(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise _Refused(
            f"Date non valable : « {text[:40]} ». Écrivez le jour (2026-03-01), ou le jour et l’heure "
            "avec le décalage horaire (2026-03-01T21:07+01:00).",
            f"Invalid date: “{text[:40]}”. Write the day (2026-03-01), or the day and time with the "
            "UTC offset (2026-03-01T21:07+01:00).",
        )
    return moment


def _yes_no(text: str) -> bool | None:
    word = text.strip().casefold()
    if word in ("", "?", "-", "—"):
        return None
    if word in ("oui", "o", "yes", "y", "vrai", "true", "1"):
        return True
    if word in ("non", "n", "no", "faux", "false", "0"):
        return False
    raise _Refused(
        f"Répondez oui ou non (ou laissez vide), pas « {text.strip()[:40]} ».",
        f"Answer yes or no (or leave it empty), not “{text.strip()[:40]}”.",
    )


_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def _rows(text: str) -> list[list[str | None]]:
    rows = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            continue
        cells = re.split(r"(?<!\\)\|", line)
        rows.append([clean_value(cell.replace("\\|", "|")) for cell in cells])
    if len(rows) > MAX_ROWS:
        raise _Refused(f"{MAX_ROWS} lignes au plus.", f"{MAX_ROWS} lines at most.")
    return rows


def _columns(row: list[str | None], name: str, number: int) -> dict[str, str | None]:
    columns = _COLUMNS[name]
    if len(row) > len(columns):
        raise _Refused(
            f"Ligne {number} : {len(columns)} colonnes au plus, séparées par « | ».",
            f"Line {number}: {len(columns)} columns at most, separated by “|”.",
        )
    return dict(zip(columns, row + [None] * (len(columns) - len(row)), strict=True))


def _table(name: str, text: str, current: LetterValues) -> list[Any]:
    items: list[Any] = []
    known = {e.item_id: e for e in current.evidence}
    for number, row in enumerate(_rows(text), 1):
        cells = _columns(row, name, number)
        if name == "authors":
            if not any(cells.values()):
                continue
            items.append(Author(**cells))
        elif name == "evidence":
            item_id = (cells["item_id"] or "").lower()
            original = known.get(item_id)
            if original is None:
                raise _Refused(
                    f"Ligne {number} : la pièce « {item_id[:40]} » n’est pas dans le coffre. Vous pouvez "
                    "retirer des pièces de cette liste, pas en ajouter : ajoutez d’abord la preuve au coffre.",
                    f"Line {number}: item “{item_id[:40]}” is not in the vault. You can remove items from "
                    "this list, not add any: first add the evidence to the vault.",
                )
            # A column left out keeps what the vault says; one given (even empty) replaces it.
            given = {c: cells[c] for c in ("title", "kind")[: max(0, len(row) - 1)]}
            items.append(original.model_copy(update=given))
        elif name == "urls":
            url = cells["url"] or ""
            if not _URL.fullmatch(url):
                raise _Refused(
                    f"Ligne {number} : l’adresse doit commencer par http:// ou https://.",
                    f"Line {number}: the address must start with http:// or https://.",
                )
            published = _moment(cells["published_at"] or "")
            items.append(ContentRef(url=url, published_at=published, description=cells["description"]))
        elif name == "offences":
            if not cells["title"]:
                raise _Refused(
                    f"Ligne {number} : donnez le nom de l’infraction.",
                    f"Line {number}: give the name of the offence.",
                )
            items.append(OffenceRef(title=cells["title"], articles=cells["articles"] or ""))
        else:
            if not cells["service"]:
                raise _Refused(
                    f"Ligne {number} : donnez le service contacté.",
                    f"Line {number}: give the service contacted.",
                )
            made_on = _day(cells["made_on"] or "")
            items.append(ReportRef(service=cells["service"], made_on=made_on, reference=cells["reference"]))
    return items


def _parse(field: LetterField, text: str, current: LetterValues) -> object:
    limit = (
        MAX_LINE
        if field.kind in ("line", "date", "yes_no")
        else MAX_TEXT
        if field.kind == "text"
        else MAX_LIST
    )
    if len(text) > limit:
        raise _Refused(f"{limit} caractères au plus.", f"{limit} characters at most.")
    if field.kind == "date":
        return _day(text)
    if field.kind == "yes_no":
        return _yes_no(text)
    if field.kind == "lines":
        return [cell for row in _rows(text) for cell in row if cell]
    if field.kind == "table":
        return _table(field.name, text, current)
    if field.kind == "line" and "\n" in text.strip():
        raise _Refused("Une seule ligne ici.", "One line only here.")
    return clean_value(text)


def edit(
    template: LetterTemplate, values: LetterValues, edits: Mapping[str, str]
) -> tuple[LetterValues, list[FieldProblem]]:
    """``values`` with the person's texts (field name → text) applied, and the problems.

    A field whose text is the one :func:`field_text` gives for ``values`` is left as it is. A
    field with a problem keeps its value from ``values``; the others are applied.
    """
    fields = {f.name: f for f in fields_of(template)}
    changes: dict[str, object] = {}
    problems: list[FieldProblem] = []
    for name, text in edits.items():
        field = fields.get(name)
        if field is None:
            listed = ", ".join(fields)
            problems.append(
                FieldProblem(
                    name,
                    Text(
                        fr=f"Champ inconnu pour cette lettre : « {name[:60]} ». Champs possibles : {listed}.",
                        en=f"Unknown field for this letter: “{name[:60]}”. Possible fields: {listed}.",
                    ),
                )
            )
            continue
        if _same(text, field_text(values, name)):
            continue
        try:
            changes[name] = _parse(field, text, values)
        except _Refused as refused:
            problems.append(FieldProblem(name, refused.text))
    result = values.model_copy(update=changes)
    if result.first_date and result.last_date and result.last_date < result.first_date:
        where = "last_date" if "last_date" in fields else "first_date"
        problems.append(
            FieldProblem(
                where,
                Text(
                    fr="Le fait le plus récent ne peut pas être avant le premier fait.",
                    en="The most recent incident cannot be before the first one.",
                ),
            )
        )
    return result, problems


def apply_edits(template: LetterTemplate, values: LetterValues, edits: Mapping[str, str]) -> LetterValues:
    """:func:`edit`, with any problem raised as :class:`BadInput` (every field named)."""
    result, problems = edit(template, values, edits)
    if problems:
        raise BadInput(_problems_text(template, problems, "fr"), _problems_text(template, problems, "en"))
    return result


def _problems_text(template: LetterTemplate, problems: Sequence[FieldProblem], lang: Lang) -> str:
    labels = {f.name: f.label.get(lang) for f in fields_of(template)}
    colon = " : " if lang == "fr" else ": "
    return "\n".join(
        f"{p.name} ({labels[p.name]}){colon}{p.message.get(lang)}"
        if p.name in labels
        else p.message.get(lang)
        for p in problems
    )


def parse_assignments(assignments: Sequence[str]) -> dict[str, str]:
    """``FIELD=VALUE`` texts (``--set``) → field name → text; the last one of a field wins."""
    edits: dict[str, str] = {}
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        if not equals or not name.strip():
            raise BadInput(
                f"« {assignment[:60]} » : écrivez CHAMP=VALEUR, par exemple --set place=Lyon.",
                f"“{assignment[:60]}”: write FIELD=VALUE, for example --set place=Lyon.",
            )
        edits[name.strip()] = text
    return edits


# ---------------------------------------------------------------------------------------------
# The letter and its files.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterRenderer:
    """What the service needs from the outside world to make DOCX and PDF files."""

    docx: Callable[[Letter], bytes]
    pdf: Callable[[Letter, datetime], bytes]


def draft(
    template: LetterTemplate,
    values: LetterValues,
    lang: Lang,
    fmt: LetterFormat,
    renderer: LetterRenderer,
    created: datetime,
) -> bytes:
    """The letter as a file. ``created``: the PDF's date (the date in the letter is its own)."""
    filled = fill(template, values, lang)
    if fmt == "txt":
        return as_text(filled).encode("utf-8")
    if fmt == "docx":
        return renderer.docx(filled)
    return renderer.pdf(filled, created)




def format_of(name: str | None, fmt: str | None) -> LetterFormat:
    """The format asked (``--format``), else the one of the file name's suffix, else text."""
    chosen = _known_format(fmt) if fmt is not None else None
    if fmt is not None and chosen is None:
        raise BadInput(
            f"Format inconnu : « {fmt[:20]} ». Choisissez txt, docx ou pdf.",
            f"Unknown format: “{fmt[:20]}”. Choose txt, docx or pdf.",
        )
    suffix = name.rsplit(".", 1)[1] if name and "." in name.rsplit("/", 1)[-1] else None
    from_suffix = _known_format(suffix) if suffix is not None else None
    if suffix is not None and from_suffix is None and chosen is None:
        raise BadInput(
            "Le nom du fichier doit finir par .txt, .docx ou .pdf (ou ajoutez --format).",
            "The file name must end in .txt, .docx or .pdf (or add --format).",
        )
    if chosen is not None and from_suffix is not None and from_suffix != chosen:
        raise BadInput(
            f"Le nom du fichier finit par .{from_suffix}, mais le format demandé est {chosen}.",
            f"The file name ends in .{from_suffix}, but the format asked for is {chosen}.",
        )
    return chosen or from_suffix or "txt"


def _known_format(text: str) -> LetterFormat | None:
    word = text.strip().lower()
    return next((known for known in LETTER_FORMATS if known == word), None)
