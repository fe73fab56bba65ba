"""Letters: the templates (data), the values Recours can fill, and the filled letter.

A template (``data/letters/<kind>.toml``) is French and English text with named
placeholders such as ``{first_date}``. It declares every placeholder it uses, with the label
of the blank shown when the value is missing: "[à compléter : date du premier fait]". The
model below refuses a template that uses an undeclared name, declares one it never uses,
names a value Recours cannot fill, or whose English text does not use the same names as
its French text. A template also cites its legal basis and sources, and the date they were
last checked (ARCHITECTURE.md, conventions: data entries carry their sources).

:func:`fill` is pure: the date of writing and everything else come in :class:`LetterValues`.
Values are plain text and are never formatted again: a template is parsed into literal text
and placeholder names, and a value is inserted as one opaque piece. A harasser's handle such
as ``{person_name}``, ``{{7*7}}`` or ``<script>`` therefore stays exactly what it is
(research/aesthetics-reliability.md, T4a). The renderers (``adapters/letter_files.py`` for
DOCX and HTML, :func:`as_text` here) escape it for their own format.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator, model_validator

from recours.domain.common import HttpsUrl, Lang, StrictModel, Text

LetterKind = Literal["plainte", "pharos", "platform-notice", "erasure", "cnil-complaint", "school", "witness"]
LETTER_KINDS: tuple[LetterKind, ...] = get_args(LetterKind)

# ---------------------------------------------------------------------------------------------
# What Recours can fill: the values, taken from the vault and the user's answers.
# ---------------------------------------------------------------------------------------------

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _aware(value: datetime) -> datetime:
    # A time printed in a letter to a court must say which clock it is on.
    if value.utcoffset() is None:
        raise ValueError("times in a letter carry their UTC offset")
    return value


class Author(StrictModel):
    """Someone who took part in the harassment, as the journal knows them."""

    name: str | None = None
    handle: str | None = None
    profile_url: str | None = None
    platform: str | None = None


class EvidenceRef(StrictModel):
    """An item of the vault, as a letter lists it: what it is and the hash taken at intake."""

    item_id: str
    sha256: str
    received_at: datetime
    title: str | None = None
    # What the item is, already in the letter's language ("capture d’écran", "message"…).
    kind: str | None = None

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _SHA256.match(value):
            raise ValueError("a SHA-256 is 64 lower-case hexadecimal digits")
        return value

    @field_validator("received_at")
    @classmethod
    def _offset(cls, value: datetime) -> datetime:
        return _aware(value)


class ContentRef(StrictModel):
    """A piece of content online: its exact URL (DSA art. 16(2)(b)), when and what it is."""

    url: str
    # A date when only the day is known.
    published_at: datetime | date | None = None
    description: str | None = None

    @field_validator("published_at")
    @classmethod
    def _offset(cls, value: datetime | date | None) -> datetime | date | None:
        return _aware(value) if isinstance(value, datetime) else value


class OffenceRef(StrictModel):
    """An offence that may apply, as the law page names it: "Harcèlement moral en ligne"."""

    title: str
    articles: str


class ReportRef(StrictModel):
    """A step already taken: a Pharos report, a platform notice, a main courante…"""

    service: str
    reference: str | None = None
    made_on: date | None = None


class LetterValues(StrictModel):
    """Everything a letter may quote. Each field is optional: a missing one shows as a blank.

    Field names are the placeholder names of the templates (``{person_name}``…), so a
    template and the form that edits these values speak the same vocabulary.
    """

    # The person who writes (the victim, or a parent acting for a child).
    person_name: str | None = None
    person_address: str | None = None
    person_birth_date: date | None = None
    person_email: str | None = None
    # The person's account on the platform that holds the data (erasure).
    person_account: str | None = None
    # The child a parent writes for (plainte for a minor, letter to the school).
    child_name: str | None = None
    child_birth_date: date | None = None
    child_class: str | None = None
    # The person was a minor when the data were collected (art. 51 loi Informatique et Libertés).
    was_minor: bool | None = None
    # Where and when the letter is written: passed in, the domain has no clock.
    place: str | None = None
    written_on: date | None = None
    # Who receives it.
    court_city: str | None = None
    organisation: str | None = None
    recipient_address: str | None = None
    school_name: str | None = None
    # The facts.
    facts: str | None = None
    first_date: date | None = None
    last_date: date | None = None
    platforms: list[str] = []
    reasons: str | None = None
    authors: list[Author] = []
    evidence: list[EvidenceRef] = []
    urls: list[ContentRef] = []
    offences: list[OffenceRef] = []
    reports: list[ReportRef] = []
    # Pharos form.
    pharos_category: str | None = None
    reporter_is_victim: bool | None = None
    # An earlier request (the CNIL complaint quotes the erasure request).
    request_date: date | None = None
    request_reference: str | None = None
    request_outcome: str | None = None
    # The witness (attestation de témoin, art. 202 code de procédure civile).
    witness_name: str | None = None
    witness_birth_date: date | None = None
    witness_birth_place: str | None = None
    witness_address: str | None = None
    witness_occupation: str | None = None
    witness_relationship: str | None = None
    witness_facts: str | None = None


# ---------------------------------------------------------------------------------------------
# Formatting values per language.
# ---------------------------------------------------------------------------------------------

_MONTHS: dict[Lang, tuple[str, ...]] = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def format_date(day: date, lang: Lang) -> str:
    """ "1er mars 2026" / "1 March 2026": the forms a French or British letter uses."""
    month = _MONTHS[lang][day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def format_datetime(moment: datetime | date, lang: Lang) -> str:
    """The day, the time and the UTC offset, so that nobody has to guess the time zone."""
    if not isinstance(moment, datetime):
        return format_date(moment, lang)
    offset = moment.utcoffset()
    if offset is None:  # values refuse naive times; kept total for direct callers
        zone = ""
    elif not offset:
        zone = " (UTC)"
    else:
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        zone = f" (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"
    if lang == "fr":  # "14 h 03": the French typographic form of a time
        return f"{format_date(moment, lang)} à {moment.hour} h {moment.minute:02d}{zone}"
    return f"{format_date(moment, lang)} at {moment.hour:02d}:{moment.minute:02d}{zone}"


def _yes_no(value: bool | None, lang: Lang) -> str | None:
    if value is None:
        return None
    return {("fr", True): "Oui", ("fr", False): "Non", ("en", True): "Yes", ("en", False): "No"}[
        (lang, value)
    ]


def _day(value: date | None, lang: Lang) -> str | None:
    return None if value is None else format_date(value, lang)


_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\t": " "})


def _unsafe(char: str) -> bool:
    # Control characters, lone surrogates and U+FFFE/U+FFFF cannot go into XML (DOCX) and
    # can hide text or move the cursor in a terminal: they show as U+FFFD, visibly.
    return unicodedata.category(char) in ("Cc", "Cs") or char in ("\ufffe", "\uffff")


def clean_value(value: str | None) -> str | None:
    """A value as every output shows it: line breaks unified, control characters made
    visible, outer blanks trimmed; ``None`` when nothing is left, so that it shows as a blank."""
    if value is None:
        return None
    text = value.replace("\r\n", "\n").translate(_BREAKS)
    text = "".join("\ufffd" if char != "\n" and _unsafe(char) else char for char in text)
    return text.strip() or None


# Scalar placeholders: name -> how to read it from the values in a language.
_ScalarReader = Callable[[LetterValues, Lang], str | None]
_SCALARS: dict[str, _ScalarReader] = {
    "person_name": lambda v, _: v.person_name,
    "person_address": lambda v, _: v.person_address,
    "person_birth_date": lambda v, lang: _day(v.person_birth_date, lang),
    "person_email": lambda v, _: v.person_email,
    "person_account": lambda v, _: v.person_account,
    "child_name": lambda v, _: v.child_name,
    "child_birth_date": lambda v, lang: _day(v.child_birth_date, lang),
    "child_class": lambda v, _: v.child_class,
    "place": lambda v, _: v.place,
    "written_on": lambda v, lang: _day(v.written_on, lang),
    "court_city": lambda v, _: v.court_city,
    "organisation": lambda v, _: v.organisation,
    "recipient_address": lambda v, _: v.recipient_address,
    "school_name": lambda v, _: v.school_name,
    "facts": lambda v, _: v.facts,
    "first_date": lambda v, lang: _day(v.first_date, lang),
    "last_date": lambda v, lang: _day(v.last_date, lang),
    "platforms": lambda v, _: ", ".join(p for p in (clean_value(p) for p in v.platforms) if p) or None,
    "reasons": lambda v, _: v.reasons,
    "pharos_category": lambda v, _: v.pharos_category,
    "reporter_is_victim": lambda v, lang: _yes_no(v.reporter_is_victim, lang),
    "request_date": lambda v, lang: _day(v.request_date, lang),
    "request_reference": lambda v, _: v.request_reference,
    "request_outcome": lambda v, _: v.request_outcome,
    "witness_name": lambda v, _: v.witness_name,
    "witness_birth_date": lambda v, lang: _day(v.witness_birth_date, lang),
    "witness_birth_place": lambda v, _: v.witness_birth_place,
    "witness_address": lambda v, _: v.witness_address,
    "witness_occupation": lambda v, _: v.witness_occupation,
    "witness_relationship": lambda v, _: v.witness_relationship,
    "witness_facts": lambda v, _: v.witness_facts,
}
SCALAR_NAMES: frozenset[str] = frozenset(_SCALARS)

# Repeated values: list name -> the names one item offers to the list's item template.
LIST_FIELDS: Mapping[str, frozenset[str]] = {
    "authors": frozenset({"name", "handle", "profile_url", "platform"}),
    "evidence": frozenset({"item_id", "title", "kind", "sha256", "received_at"}),
    "urls": frozenset({"url", "published_at", "description"}),
    "offences": frozenset({"title", "articles"}),
    "reports": frozenset({"service", "reference", "made_on"}),
}

# Yes/no facts a block can depend on (``when``/``unless``).
_FLAGS: dict[str, Callable[[LetterValues], bool | None]] = {
    "was_minor": lambda v: v.was_minor,
    "reporter_is_victim": lambda v: v.reporter_is_victim,
}
# A block may depend on any value: a flag is true, a list has items, a text or date is given.
CONDITION_NAMES: frozenset[str] = frozenset(_FLAGS) | SCALAR_NAMES | frozenset(LIST_FIELDS)


def _items(values: LetterValues, name: str, lang: Lang) -> list[dict[str, str | None]]:
    if name == "authors":
        return [
            {"name": a.name, "handle": a.handle, "profile_url": a.profile_url, "platform": a.platform}
            for a in values.authors
        ]
    if name == "evidence":
        return [
            {
                "item_id": e.item_id,
                "title": e.title,
                "kind": e.kind,
                "sha256": e.sha256,
                "received_at": format_datetime(e.received_at, lang),
            }
            for e in values.evidence
        ]
    if name == "urls":
        return [
            {
                "url": u.url,
                "published_at": None if u.published_at is None else format_datetime(u.published_at, lang),
                "description": u.description,
            }
            for u in values.urls
        ]
    if name == "offences":
        return [{"title": o.title, "articles": o.articles} for o in values.offences]
    if name == "reports":
        return [
            {"service": r.service, "reference": r.reference, "made_on": _day(r.made_on, lang)}
            for r in values.reports
        ]
    raise KeyError(name)


def _holds(values: LetterValues, name: str) -> bool:
    if name in _FLAGS:
        return _FLAGS[name](values) is True
    if name in LIST_FIELDS:
        return bool(_items(values, name, "fr"))
    return clean_value(_SCALARS[name](values, "fr")) is not None


# ---------------------------------------------------------------------------------------------
# Templates (data files).
# ---------------------------------------------------------------------------------------------

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_BRACED = re.compile(r"(\{[^{}]*\})")


def _pieces(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is a placeholder, literal text or name) pieces.

    The only syntax is ``{name}``; any other brace is an error in the template, so that a
    template never needs escaping and a value can never be read as syntax.
    """
    pieces: list[tuple[bool, str]] = []
    for index, part in enumerate(_BRACED.split(text)):
        if index % 2:
            name = part[1:-1]
            if not _NAME.fullmatch(name):
                raise ValueError(f"not a placeholder name: {part!r} in {text!r}")
            pieces.append((True, name))
        elif "{" in part or "}" in part:
            raise ValueError(f"a brace that is not a placeholder in {text!r}")
        elif part:
            pieces.append((False, part))
    return pieces


def placeholder_names(text: str) -> list[str]:
    """The placeholder names of one template text, in order of appearance."""
    return [content for is_name, content in _pieces(text) if is_name]


class LegalSource(StrictModel):
    """Where a legal reference or a form fact was read, and where the research records it."""

    title: str
    url: HttpsUrl | None = None
    # The section and source tag of research/domain.md ("§3 [S22]"), or why we are sure of it.
    research: str



class LegalBasis(StrictModel):
    """One article a letter relies on: its reference, what it says in a sentence, its sources."""

    reference: Text
    summary: Text
    sources: list[LegalSource]

    @model_validator(mode="after")
    def _sourced(self) -> LegalBasis:
        if not self.sources:
            raise ValueError(f"{self.reference.fr}: a legal reference cites at least one source")
        return self


class _Conditional(StrictModel):
    # The block is shown only when this value is present (a flag true, a list not empty…) …
    when: str | None = None
    # … or only when it is absent.
    unless: str | None = None


class HeadingBlock(_Conditional):
    kind: Literal["heading"]
    text: Text


class ParagraphBlock(_Conditional):
    kind: Literal["paragraph"]
    text: Text


class ListBlock(_Conditional):
    """A bulleted list: fixed ``items``, or one ``item`` per element of the value list ``of``."""

    kind: Literal["list"]
    label: Text | None = None
    of: str | None = None
    item: Text | None = None
    # Label of the blank shown as the only item when the value list is empty.
    empty: Text | None = None
    items: list[Text] = []

    @model_validator(mode="after")
    def _one_source(self) -> ListBlock:
        repeated = self.of is not None and self.item is not None and self.empty is not None
        if repeated == bool(self.items) or (not repeated and (self.of or self.item or self.empty)):
            raise ValueError("a list has either fixed items, or of + item + empty")
        return self


class FieldBlock(_Conditional):
    """A form field: its label and its value, or a visible blank to fill in."""

    kind: Literal["field"]
    label: Text
    value: Text | None = None
    # Label of the blank when the field has no value in the template (filled by hand).
    blank: Text | None = None
    # Lines left to write by hand when the field is blank (e.g. the witness's account).
    lines: int = Field(default=0, ge=0, le=40)


class SignatureBlock(_Conditional):
    kind: Literal["signature"]
    label: Text
    name: Text


Block = Annotated[
    HeadingBlock | ParagraphBlock | ListBlock | FieldBlock | SignatureBlock, Field(discriminator="kind")
]


class ListDeclaration(StrictModel):
    """The fields of a value list a template uses, each with the label of its blank."""

    fields: dict[str, Text]


class LetterTemplate(StrictModel):
    id: LetterKind
    title: Text
    purpose: Text
    # True for documents whose title is part of the document (a form, a crib sheet); a
    # letter's subject line says what it is, so its title is only shown around it.
    show_title: bool = False
    legal_basis: list[LegalBasis]
    # Facts that are not law (form fields, postal addresses) and where they come from.
    sources: list[LegalSource] = []
    last_checked: date
    # Advice shown next to the letter, never inside it (how to send it, deadlines…).
    advice: list[Text] = []
    placeholders: dict[str, Text] = {}
    lists: dict[str, ListDeclaration] = {}
    sender: list[Text] = []
    recipient: list[Text] = []
    blocks: list[Block]

    @model_validator(mode="after")
    def _placeholders_declared(self) -> LetterTemplate:
        problems = self.problems()
        if problems:
            raise ValueError(f"{self.id}: " + "; ".join(problems))
        return self

    def problems(self) -> list[str]:
        """Every inconsistency between the texts and the declarations, in plain words."""
        problems: list[str] = []
        if not self.legal_basis:
            problems.append("a template cites its legal basis")
        if not self.blocks:
            problems.append("a template has a body")
        for unknown in sorted(self.placeholders.keys() - SCALAR_NAMES):
            problems.append(f"{{{unknown}}} is not a value Recours can fill")
        for name, declaration in sorted(self.lists.items()):
            if name not in LIST_FIELDS:
                problems.append(f"{name!r} is not a value list Recours can fill")
                continue
            for unknown in sorted(declaration.fields.keys() - LIST_FIELDS[name]):
                problems.append(f"{{{unknown}}} is not a field of the list {name!r}")
        used: set[str] = set()
        used_fields: dict[str, set[str]] = {}
        for where, text, scope in self._texts():
            try:
                names_fr, names_en = placeholder_names(text.fr), placeholder_names(text.en)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
                continue
            if sorted(names_fr) != sorted(names_en):
                problems.append(f"{where}: French uses {sorted(names_fr)}, English {sorted(names_en)}")
            if scope is None:
                declared: Mapping[str, Text] = self.placeholders
                used.update(names_fr, names_en)
            else:
                declared = self.lists[scope].fields if scope in self.lists else {}
                used_fields.setdefault(scope, set()).update(names_fr, names_en)
            for name in sorted(set(names_fr + names_en) - declared.keys()):
                problems.append(f"{where}: {{{name}}} is used but not declared")
        for where, text in self._static_texts():
            try:
                if placeholder_names(text.fr) or placeholder_names(text.en):
                    problems.append(f"{where}: no placeholder here, this text is not filled")
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
        for name in sorted(self.placeholders.keys() - used):
            problems.append(f"{{{name}}} is declared but never used")
        for name, declaration in sorted(self.lists.items()):
            if name not in used_fields:
                problems.append(f"the list {name!r} is declared but never used")
            for field in sorted(declaration.fields.keys() - used_fields.get(name, set())):
                problems.append(f"{{{field}}} of the list {name!r} is declared but never used")
        for number, block in enumerate(self.blocks, 1):
            for condition in (block.when, block.unless):
                if condition is not None and condition not in CONDITION_NAMES:
                    problems.append(f"block {number}: {condition!r} is not a value a block can depend on")
            if isinstance(block, ListBlock) and block.of is not None and block.of not in self.lists:
                problems.append(f"block {number}: the list {block.of!r} is not declared")
        return problems

    def _texts(self) -> Iterator[tuple[str, Text, str | None]]:
        """Every filled text: where it is, the text, and the value list it repeats over."""
        for number, line in enumerate(self.sender, 1):
            yield f"sender line {number}", line, None
        for number, line in enumerate(self.recipient, 1):
            yield f"recipient line {number}", line, None
        for number, block in enumerate(self.blocks, 1):
            where = f"block {number} ({block.kind})"
            if isinstance(block, HeadingBlock | ParagraphBlock):
                yield where, block.text, None
            elif isinstance(block, ListBlock):
                if block.label is not None:
                    yield where, block.label, None
                for item in block.items:
                    yield where, item, None
                if block.item is not None:
                    yield where, block.item, block.of
            elif isinstance(block, FieldBlock):
                yield where, block.label, None
                if block.value is not None:
                    yield where, block.value, None
            else:
                yield where, block.label, None
                yield where, block.name, None

    def _static_texts(self) -> Iterator[tuple[str, Text]]:
        """Texts shown as they are: titles, advice, blank labels, legal references."""
        yield "title", self.title
        yield "purpose", self.purpose
        for number, advice in enumerate(self.advice, 1):
            yield f"advice {number}", advice
        for basis in self.legal_basis:
            yield f"legal basis {basis.reference.fr}", basis.reference
            yield f"legal basis {basis.reference.fr}", basis.summary
        for name, label in self.placeholders.items():
            yield f"label of {{{name}}}", label
        for list_name, declaration in self.lists.items():
            for name, label in declaration.fields.items():
                yield f"label of {{{name}}} in {list_name!r}", label
        for number, block in enumerate(self.blocks, 1):
            if isinstance(block, ListBlock) and block.empty is not None:
                yield f"block {number} (list)", block.empty
            if isinstance(block, FieldBlock) and block.blank is not None:
                yield f"block {number} (field)", block.blank

    def value_names(self) -> frozenset[str]:
        """The :class:`LetterValues` fields this template can show or depends on: what a form
        editing the values for this letter needs to ask."""
        names = set(self.placeholders) | set(self.lists)
        names.update(c for b in self.blocks for c in (b.when, b.unless) if c is not None)
        return frozenset(names)


class LetterTemplates(StrictModel):
    """All the templates, one per kind, each kind exactly once."""

    templates: list[LetterTemplate]

    @model_validator(mode="after")
    def _one_per_kind(self) -> LetterTemplates:
        ids = [t.id for t in self.templates]
        if sorted(ids) != sorted(LETTER_KINDS):
            raise ValueError(f"one template per kind {sorted(LETTER_KINDS)}, found {sorted(ids)}")
        return self

    def get(self, kind: LetterKind) -> LetterTemplate:
        return next(t for t in self.templates if t.id == kind)


# ---------------------------------------------------------------------------------------------
# The filled letter.
# ---------------------------------------------------------------------------------------------

SpanKind = Literal["text", "value", "blank"]


@dataclass(frozen=True)
class Span:
    """A run of text: the template's words, a value (attacker-controlled, plain text), or a
    blank the user must fill in ("[à compléter : …]"), which renderers show visibly."""

    kind: SpanKind
    text: str


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    text: Line


@dataclass(frozen=True)
class Paragraph:
    text: Line


@dataclass(frozen=True)
class Bullets:
    label: Line | None
    items: tuple[Line, ...]


@dataclass(frozen=True)
class FormField:
    label: Line
    # What goes between the label and the value: " : " in French, ": " in English, and only
    # a space after a label that is a question ("Êtes-vous la victime ? Oui").
    separator: str
    value: Line
    # Lines left to write by hand: only when the value is a blank.
    lines: int = 0


@dataclass(frozen=True)
class Signature:
    label: Line
    name: Line


LetterBlock = Heading | Paragraph | Bullets | FormField | Signature


@dataclass(frozen=True)
class LegalReference:
    reference: str
    summary: str
    sources: tuple[LegalSource, ...]


@dataclass(frozen=True)
class Letter:
    kind: LetterKind
    lang: Lang
    title: str
    show_title: bool
    purpose: str
    legal_basis: tuple[LegalReference, ...]
    sources: tuple[LegalSource, ...]
    last_checked: date
    advice: tuple[str, ...]
    sender: tuple[Line, ...]
    recipient: tuple[Line, ...]
    blocks: tuple[LetterBlock, ...]


_BLANK: dict[Lang, str] = {"fr": "[à compléter : {}]", "en": "[to fill in: {}]"}
# French puts a space before a colon; English does not.
_LABEL_SEPARATOR: dict[Lang, str] = {"fr": " : ", "en": ": "}
_SEND_FRENCH = Text(
    fr="Envoyez toujours la version française de ce document. La version anglaise sert seulement à le comprendre.",
    en="Always send the French version of this document. The English version is only there to help you understand it.",
)


def blank(label: str, lang: Lang) -> Span:
    """The visible blank for a missing value: never an empty string."""
    return Span("blank", _BLANK[lang].format(label))


def _line(text: str, lookup: Mapping[str, str | None], labels: Mapping[str, Text], lang: Lang) -> Line:
    spans: list[Span] = []
    for is_name, content in _pieces(text):
        if not is_name:
            span = Span("text", content)
        else:
            value = clean_value(lookup[content])
            span = blank(labels[content].get(lang), lang) if value is None else Span("value", value)
        if spans and span.kind == "text" and spans[-1].kind == "text":
            spans[-1] = Span("text", spans[-1].text + span.text)
        else:
            spans.append(span)
    return tuple(spans)


def _all_blank(line: Line) -> bool:
    return not any(span.kind == "value" for span in line)


def fill(template: LetterTemplate, values: LetterValues, lang: Lang) -> Letter:
    """The letter in ``lang``: every placeholder replaced by its value, once, or by a blank."""
    scalars = {name: reader(values, lang) for name, reader in _SCALARS.items()}

    def line(text: Text) -> Line:
        return _line(text.get(lang), scalars, template.placeholders, lang)

    blocks: list[LetterBlock] = []
    for block in template.blocks:
        if block.when is not None and not _holds(values, block.when):
            continue
        if block.unless is not None and _holds(values, block.unless):
            continue
        if isinstance(block, HeadingBlock):
            blocks.append(Heading(line(block.text)))
        elif isinstance(block, ParagraphBlock):
            blocks.append(Paragraph(line(block.text)))
        elif isinstance(block, ListBlock):
            label = None if block.label is None else line(block.label)
            if block.of is None or block.item is None or block.empty is None:
                blocks.append(Bullets(label, tuple(line(item) for item in block.items)))
                continue
            labels = template.lists[block.of].fields
            item_text = block.item.get(lang)
            items = tuple(_line(item_text, item, labels, lang) for item in _items(values, block.of, lang))
            blocks.append(Bullets(label, items or ((blank(block.empty.get(lang), lang),),)))
        elif isinstance(block, FieldBlock):
            if block.value is None:
                value: Line = (blank((block.blank or block.label).get(lang), lang),)
            else:
                value = line(block.value)
            label_text = block.label.get(lang)
            separator = " " if label_text.endswith(("?", ":")) else _LABEL_SEPARATOR[lang]
            lines = block.lines if _all_blank(value) else 0
            blocks.append(FormField(line(block.label), separator, value, lines))
        else:
            blocks.append(Signature(line(block.label), line(block.name)))
    advice = [a.get(lang) for a in template.advice]
    if lang != "fr":
        advice.insert(0, _SEND_FRENCH.get(lang))
    return Letter(
        kind=template.id,
        lang=lang,
        title=template.title.get(lang),
        show_title=template.show_title,
        purpose=template.purpose.get(lang),
        legal_basis=tuple(
            LegalReference(b.reference.get(lang), b.summary.get(lang), tuple(b.sources))
            for b in template.legal_basis
        ),
        sources=tuple(template.sources),
        last_checked=template.last_checked,
        advice=tuple(advice),
        sender=tuple(line(text) for text in template.sender),
        recipient=tuple(line(text) for text in template.recipient),
        blocks=tuple(blocks),
    )


# ---------------------------------------------------------------------------------------------
# Plain text (.txt).
# ---------------------------------------------------------------------------------------------

TEXT_WIDTH = 78
_KEEP = "\x00"  # stands for a space inside a blank while wrapping; values never hold it


def plain(line: Line) -> str:
    """A line as plain text (values and blanks as they are)."""
    return "".join(span.text for span in line)


def _wrap(line: Line, width: int, first: str = "", rest: str = "") -> list[str]:
    # A blank is kept on one line ("[à compléter : date des faits]" is one thing to see).
    # URLs and hashes are never cut (no long-word or hyphen breaking).
    text = "".join(s.text.replace(" ", _KEEP) if s.kind == "blank" else s.text for s in line)
    out: list[str] = []
    for number, part in enumerate(text.split("\n")):
        indent = first if number == 0 else rest
        wrapped = textwrap.wrap(
            part,
            width=width,
            initial_indent=indent,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )
        out.extend(wrapped or [indent.rstrip()])
    return [row.replace(_KEEP, " ").rstrip() for row in out]


def _underlined(text: str, char: str, width: int) -> list[str]:
    rows = _wrap((Span("text", text),), width)
    return [*rows, char * min(width, max(len(row) for row in rows))]


def _text_block(block: LetterBlock, width: int) -> list[str]:
    if isinstance(block, Heading):
        return _underlined(plain(block.text), "-", width)
    if isinstance(block, Paragraph):
        return _wrap(block.text, width)
    if isinstance(block, Bullets):
        rows = [] if block.label is None else _wrap(block.label, width)
        for item in block.items:
            rows.extend(_wrap(item, width, "- ", "  "))
        return rows
    if isinstance(block, FormField):
        line = (*block.label, Span("text", block.separator), *block.value)
        return _wrap(line, width, "", "  ") + ["_" * min(width, 60)] * block.lines
    return [*_wrap(block.label, width), "", "", *_wrap(block.name, width)]


def as_text(letter: Letter, width: int = TEXT_WIDTH) -> str:
    """The letter as UTF-8 plain text: deterministic, wrapped at ``width``, blocks separated
    by a blank line, ending with one newline."""
    chunks: list[list[str]] = []
    if letter.show_title:
        chunks.append(_underlined(letter.title, "=", width))
    for lines in (letter.sender, letter.recipient):
        if lines:
            chunks.append([row for line in lines for row in _wrap(line, width)])
    chunks.extend(_text_block(block, width) for block in letter.blocks)
    return "\n\n".join("\n".join(rows) for rows in chunks) + "\n"


def letter_lines(letter: Letter) -> list[Line]:
    """Every line of the letter, addresses and blocks, in order."""
    lines: list[Line] = [*letter.sender, *letter.recipient]
    for block in letter.blocks:
        if isinstance(block, Heading | Paragraph):
            lines.append(block.text)
        elif isinstance(block, Bullets):
            lines.extend([block.label] if block.label else [])
            lines.extend(block.items)
        elif isinstance(block, FormField):
            lines.extend([block.label, block.value])
        else:
            lines.extend([block.label, block.name])
    return lines


def letter_values(letter: Letter) -> Sequence[str]:
    """Every value the letter quotes (for checks that values reach each output verbatim)."""
    return [span.text for line in letter_lines(letter) for span in line if span.kind == "value"]


def blanks(letter: Letter) -> int:
    """How many passages are left to fill in ("[à compléter : …]")."""
    return sum(1 for line in letter_lines(letter) for span in line if span.kind == "blank")
