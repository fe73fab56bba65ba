"""Letters: templates declare their placeholders, golden texts, hostile values, DOCX and HTML.

Golden files: tests/golden/letters/<kind>.txt (French) and <kind>.en.txt from one realistic
value set; <kind>.blank.txt and <kind>.blank.en.txt with no value at all, showing the blanks.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from html.parser import HTMLParser
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from recours.adapters.letter_files import letter_docx, letter_html, load_letter_templates
from recours.domain.common import LANGS, Lang
from recours.domain.letters import (
    CONDITION_NAMES,
    LETTER_KINDS,
    LIST_FIELDS,
    SCALAR_NAMES,
    Author,
    ContentRef,
    EvidenceRef,
    Letter,
    LetterKind,
    LetterTemplate,
    LetterValues,
    OffenceRef,
    ReportRef,
    as_text,
    fill,
    format_date,
    format_datetime,
    letter_lines,
    letter_values,
    placeholder_names,
)

GOLDEN = Path(__file__).parent / "golden" / "letters"
PARIS = ZoneInfo("Europe/Paris")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# One realistic case (fictional people): Camille, 20, targeted by a raid on two platforms;
# some of the data was collected when she was a minor.
VALUES = LetterValues(
    person_name="Camille Martin",
    person_address="12 rue des Lilas, 69003 Lyon",
    person_birth_date=date(2006, 9, 1),
    person_email="camille.martin@example.org",
    person_account="@camille.mrt",
    was_minor=True,
    place="Lyon",
    written_on=date(2026, 11, 28),
    court_city="Lyon",
    organisation="Photogram (Exemple Réseaux SAS)",
    recipient_address="8 avenue de l’Exemple, 75008 Paris",
    facts=(
        "Depuis le 3 février 2026, un groupe de comptes publie des montages de mes photos avec des "
        "insultes. Le 14 février, plus de 40 comptes ont commenté la même publication en moins d’une heure.\n"
        "Le 2 mars, un compte a publié une vidéo qui donne mon adresse et le nom de mon employeur."
    ),
    first_date=date(2026, 2, 3),
    last_date=date(2026, 3, 2),
    platforms=["Photogram", "ClipTok"],
    reasons=(
        "Ces publications m’insultent, donnent mon adresse et me mettent en danger. "
        "Elles reprennent des photos de moi publiées sans mon accord quand j’avais 15 ans."
    ),
    authors=[
        Author(
            handle="verite_sur_camille",
            profile_url="https://photogram.example/verite_sur_camille/",
            platform="Photogram",
        ),
        Author(
            name="Lucas D.",
            handle="lucas.d69",
            profile_url="https://cliptok.example/@lucas.d69",
            platform="ClipTok",
        ),
    ],
    evidence=[
        EvidenceRef(
            item_id="k7m2x9qa",
            sha256=_sha("capture du 14 février"),
            received_at=datetime(2026, 2, 14, 21, 7, tzinfo=PARIS),
            title="Capture de la publication du 14 février et de ses 43 commentaires",
            kind="capture d’écran",
        ),
        EvidenceRef(
            item_id="p3vd8tne",
            sha256=_sha("vidéo du 2 mars"),
            received_at=datetime(2026, 3, 2, 8, 45, tzinfo=PARIS),
            title="Vidéo qui donne mon adresse",
            kind="enregistrement de page",
        ),
    ],
    urls=[
        ContentRef(
            url="https://photogram.example/p/C3xAmPLe01/",
            published_at=datetime(2026, 2, 14, 20, 31, tzinfo=PARIS),
            description="montage de ma photo avec des insultes",
        ),
        ContentRef(
            url="https://cliptok.example/@lucas.d69/video/7335000000000000001",
            published_at=date(2026, 3, 2),
            description="vidéo qui donne mon adresse",
        ),
    ],
    offences=[
        OffenceRef(title="Harcèlement moral en ligne", articles="code pénal, art. 222-33-2-2"),
        OffenceRef(
            title="Mise en danger par la diffusion d’informations personnelles",
            articles="code pénal, art. 223-1-1",
        ),
    ],
    reports=[ReportRef(service="Pharos", reference="PHA-2026-0214-1187", made_on=date(2026, 2, 15))],
    pharos_category="Menaces ou incitation à la violence",
    reporter_is_victim=True,
    request_date=date(2026, 9, 15),
    request_reference="DPO-88412",
    request_outcome="aucune réponse",
    witness_name="Inès Lefèvre",
    witness_birth_date=date(2005, 6, 12),
    witness_birth_place="Villeurbanne",
    witness_address="4 place Bellecour, 69002 Lyon",
    witness_occupation="étudiante",
    witness_relationship="amie de Camille Martin",
)

# The school letter is a parent's: Nadia writes about her son Yanis.
SCHOOL = VALUES.model_copy(
    update={
        "person_name": "Nadia Benali",
        "person_address": "5 rue Paul-Bert, 69003 Lyon",
        "person_email": "nadia.benali@example.org",
        "child_name": "Yanis Benali",
        "child_class": "4e B",
        "school_name": "Collège Jean-Moulin",
        "recipient_address": "20 rue de l’École, 69003 Lyon",
        "facts": (
            "Depuis la rentrée, trois élèves de sa classe insultent Yanis en récréation. "
            "Le 9 octobre, ils ont créé un groupe « anti-Yanis » où sont publiées des photos de lui prises en classe."
        ),
        "first_date": date(2026, 9, 7),
        "last_date": date(2026, 11, 20),
        "platforms": ["SnapTalk"],
        "evidence": [
            EvidenceRef(
                item_id="w4h8cz2m",
                sha256=_sha("groupe anti-Yanis"),
                received_at=datetime(2026, 10, 9, 19, 12, tzinfo=PARIS),
                title="Captures du groupe « anti-Yanis » avec les photos prises en classe",
                kind="capture d’écran",
            )
        ],
        "authors": [
            Author(
                name="Théo R.",
                handle="theo_r_69",
                profile_url="https://snaptalk.example/add/theo_r_69",
                platform="SnapTalk",
            )
        ],
    }
)


def case_values(kind: LetterKind) -> LetterValues:
    return SCHOOL if kind == "school" else VALUES


@pytest.fixture(scope="module")
def templates():  # type: ignore[no-untyped-def]
    return load_letter_templates()


def letter(kind: LetterKind, values: LetterValues, lang: Lang = "fr") -> Letter:
    return fill(load_letter_templates().get(kind), values, lang)


# -- the templates -----------------------------------------------------------------------------


def test_there_is_one_template_per_kind_named_after_its_file(templates) -> None:  # type: ignore[no-untyped-def]
    folder = resources.files("recours") / "data" / "letters"
    files = sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))
    assert files == sorted(f"{kind}.toml" for kind in LETTER_KINDS)
    assert sorted(t.id for t in templates.templates) == sorted(LETTER_KINDS)


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_every_placeholder_in_a_template_file_is_declared(kind: str) -> None:
    # Read independently of the model: any {…} in any string of the raw file.
    path = resources.files("recours") / "data" / "letters" / f"{kind}.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    declared = set(raw.get("placeholders", {}))
    for declaration in raw.get("lists", {}).values():
        declared |= set(declaration["fields"])
    used = {name for text in _strings(raw) for name in re.findall(r"\{([^{}]*)\}", text)}
    assert used, "a template fills something"
    assert used <= declared, f"undeclared: {sorted(used - declared)}"
    assert declared <= used, f"declared, never used: {sorted(declared - used)}"


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_every_template_cites_sourced_legal_basis(templates, kind: LetterKind) -> None:  # type: ignore[no-untyped-def]
    template = templates.get(kind)
    assert template.legal_basis
    assert all(basis.sources for basis in template.legal_basis)
    assert all(s.url is None or s.url.startswith("https://") for b in template.legal_basis for s in b.sources)
    assert template.last_checked <= date(2026, 11, 28)
    # The body itself names articles (the plainte through the offences that may apply).
    body = as_text(fill(template, case_values(kind), "fr"))
    assert re.search(r"\b(article|art\.) [0-9L]", body)


def test_the_vocabulary_is_the_values_model() -> None:
    fields = set(LetterValues.model_fields)
    assert fields >= SCALAR_NAMES
    assert fields >= set(LIST_FIELDS)
    assert fields >= CONDITION_NAMES


def test_every_value_is_used_by_some_template(templates) -> None:  # type: ignore[no-untyped-def]
    used = set().union(*(t.value_names() for t in templates.templates))
    assert used == set(LetterValues.model_fields)


def _minimal() -> dict[str, Any]:
    return {
        "id": "plainte",
        "title": {"fr": "Titre", "en": "Title"},
        "purpose": {"fr": "But", "en": "Purpose"},
        "last_checked": date(2026, 11, 28),
        "legal_basis": [
            {
                "reference": {"fr": "Code pénal, article 222-33-2-2", "en": "Criminal Code, 222-33-2-2"},
                "summary": {"fr": "Harcèlement", "en": "Harassment"},
                "sources": [{"title": "doctrine.fr", "research": "domain.md §3 [S22]"}],
            }
        ],
        "placeholders": {"person_name": {"fr": "vos nom et prénom", "en": "your full name"}},
        "lists": {"authors": {"fields": {"handle": {"fr": "pseudonyme", "en": "username"}}}},
        "blocks": [
            {"kind": "paragraph", "text": {"fr": "Je suis {person_name}.", "en": "I am {person_name}."}},
            {
                "kind": "list",
                "of": "authors",
                "item": {"fr": "« {handle} »", "en": "“{handle}”"},
                "empty": {"fr": "pseudonymes", "en": "usernames"},
            },
        ],
    }


def test_the_minimal_template_is_valid() -> None:
    LetterTemplate.model_validate(_minimal())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t["blocks"][0]["text"].update(fr="Je suis {person_nom}."), "used but not declared"),
        (lambda t: t["placeholders"].update(place={"fr": "ville", "en": "town"}), "declared but never used"),
        (lambda t: t["placeholders"].update(evil={"fr": "x", "en": "x"}), "not a value Recours can fill"),
        (lambda t: t["blocks"][0]["text"].update(en="I am someone."), "French uses"),
        (lambda t: t["blocks"][0]["text"].update(fr="{{person_name}}"), "brace"),
        (lambda t: t["blocks"][0]["text"].update(fr="Je suis { person_name }."), "not a placeholder name"),
        (
            lambda t: t["blocks"][1]["item"].update(fr="{profile_url}", en="{profile_url}"),
            "used but not declared",
        ),
        (
            lambda t: t["blocks"][1]["item"].update(fr="{person_name}", en="{person_name}"),
            "used but not declared",
        ),
        (
            lambda t: t["lists"]["authors"]["fields"].update(age={"fr": "x", "en": "x"}),
            "not a field of the list",
        ),
        (lambda t: t["blocks"][0].update(when="is_admin"), "not a value a block can depend on"),
        (lambda t: t["blocks"][1].update(of="urls"), "is not declared"),
        (
            lambda t: t.update(advice=[{"fr": "Écrivez {person_name}", "en": "Write {person_name}"}]),
            "no placeholder here",
        ),
        (lambda t: t["blocks"][1].update(items=[{"fr": "x", "en": "x"}]), "either fixed items"),
        (lambda t: t.update(legal_basis=[]), "legal basis"),
        (lambda t: t["legal_basis"][0].update(sources=[]), "at least one source"),
        (lambda t: t.update(unknown_key=1), "Extra inputs are not permitted"),
    ],
)
def test_a_broken_template_is_refused(change: Any, message: str) -> None:
    template = _minimal()
    change(template)
    with pytest.raises(ValidationError, match=re.escape(message)):
        LetterTemplate.model_validate(template)


def test_placeholder_names_reads_only_the_placeholder_syntax() -> None:
    assert placeholder_names("{a} et {b_2}, {a}") == ["a", "b_2", "a"]
    for broken in ("{", "}", "{A}", "{a b}", "{{a}}", "{a}}"):
        with pytest.raises(ValueError, match=r"brace|placeholder"):
            placeholder_names(broken)


# -- golden texts ----------------------------------------------------------------------------


def _golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_golden_text(kind: LetterKind, lang: Lang) -> None:
    suffix = "" if lang == "fr" else ".en"
    assert as_text(letter(kind, case_values(kind), lang)) == _golden(f"{kind}{suffix}.txt")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_golden_text_with_every_value_missing(kind: LetterKind, lang: Lang) -> None:
    suffix = "" if lang == "fr" else ".en"
    text = as_text(letter(kind, LetterValues(), lang))
    assert text == _golden(f"{kind}.blank{suffix}.txt")
    assert ("[à compléter : " if lang == "fr" else "[to fill in: ") in text


def test_the_golden_corpus_is_complete() -> None:
    expected = {
        f"{kind}{variant}{suffix}.txt"
        for kind in LETTER_KINDS
        for variant in ("", ".blank")
        for suffix in ("", ".en")
    }
    assert {p.name for p in GOLDEN.iterdir()} == expected


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_text_is_wrapped_and_tidy(kind: LetterKind) -> None:
    for lang in LANGS:
        text = as_text(letter(kind, case_values(kind), lang))
        assert text.endswith("\n") and not text.endswith("\n\n")
        for row in text.splitlines():
            assert row == row.rstrip()
            # Only a word that cannot be cut (a URL, a hash) may pass the width, alone on its row.
            assert len(row) <= 78 or len(row.removeprefix("- ").split()) == 1


# -- what a missing value, a condition or a date gives ----------------------------------------


def test_a_missing_value_is_a_visible_blank_never_an_empty_string() -> None:
    for kind in LETTER_KINDS:
        for lang in LANGS:
            filled = letter(kind, LetterValues(person_name="   ", facts=""), lang)
            for line in letter_lines(filled):
                assert all(span.text for span in line)
                assert not any(span.kind == "value" for span in line)
    plainte = as_text(letter("plainte", LetterValues(), "fr"))
    assert "[à compléter : date du premier fait]" in plainte
    assert "[to fill in: date of the first incident]" in as_text(letter("plainte", LetterValues(), "en"))


def test_a_blank_is_never_cut_across_lines() -> None:
    text = as_text(letter("plainte", LetterValues(), "fr"))
    for blank in re.findall(r"\[à compléter[^\]]*\]", text, flags=re.DOTALL):
        assert "\n" not in blank


def test_the_erasure_request_cites_the_minors_right_to_be_forgotten_only_for_a_minor() -> None:
    minor = as_text(letter("erasure", VALUES, "fr"))
    assert "article 51 de la loi n°\u00a078-17" in minor and "trois semaines" in minor
    assert "né(e) le 1er septembre 2006" in minor
    adult = as_text(letter("erasure", VALUES.model_copy(update={"was_minor": False}), "fr"))
    assert "article 51" not in adult and "article 12, paragraphe 3" in adult
    assert "article 51" not in as_text(letter("erasure", LetterValues(), "fr"))


def test_a_parent_files_the_complaint_for_a_child() -> None:
    text = " ".join(as_text(letter("plainte", SCHOOL, "fr")).split())
    assert "au nom de mon enfant mineur Yanis Benali" in text
    assert "né(e) le [à compléter : date de naissance de votre enfant]" in text


def test_previous_reports_are_listed_only_when_there_are_some() -> None:
    assert "PHA-2026-0214-1187" in as_text(letter("plainte", VALUES, "fr"))
    without = as_text(letter("plainte", VALUES.model_copy(update={"reports": []}), "fr"))
    assert "démarches déjà faites" not in without.lower()


def test_dates_and_times_read_naturally_in_each_language() -> None:
    assert format_date(date(2026, 3, 1), "fr") == "1er mars 2026"
    assert format_date(date(2026, 3, 2), "en") == "2 March 2026"
    moment = datetime(2026, 2, 14, 9, 5, tzinfo=PARIS)
    assert format_datetime(moment, "fr") == "14 février 2026 à 9 h 05 (UTC+01:00)"
    assert format_datetime(moment, "en") == "14 February 2026 at 09:05 (UTC+01:00)"
    assert format_datetime(datetime(2026, 7, 1, 23, 0, tzinfo=UTC), "fr").endswith("(UTC)")
    minus = timezone(-timedelta(hours=3, minutes=30))
    assert format_datetime(datetime(2026, 7, 1, 0, 0, tzinfo=minus), "en").endswith("(UTC-03:30)")


def test_values_refuse_a_time_without_offset_and_a_malformed_hash() -> None:
    with pytest.raises(ValidationError, match="UTC offset"):
        EvidenceRef(item_id="a", sha256="0" * 64, received_at=datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="SHA-256"):
        EvidenceRef(item_id="a", sha256="XYZ", received_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_english_advice_says_to_send_the_french_version() -> None:
    assert "French version" in letter("plainte", VALUES, "en").advice[0]
    assert all("version anglaise" not in a for a in letter("plainte", VALUES, "fr").advice)


# -- hostile values ----------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "{{7*7}}",
    "{person_name}",
    "{0.__class__}",
    "${7*7}",
    "%s%n",
    "[à compléter : rien]",
    '"><img src=x onerror=alert(1)>',
    "&amp;&lt;",
    "\u202egnp.exe",
    "{% raw %}",
]


def _hostile_values() -> LetterValues:
    words = iter(HOSTILE * 10)

    def word() -> str:
        return next(words)

    return LetterValues(
        person_name=word(),
        person_address=word(),
        person_email=word(),
        person_account=word(),
        child_name=word(),
        child_class=word(),
        place=word(),
        court_city=word(),
        organisation=word(),
        recipient_address=word(),
        school_name=word(),
        facts=word(),
        platforms=[word()],
        reasons=word(),
        authors=[Author(name=word(), handle=word(), profile_url=word(), platform=word())],
        evidence=[
            EvidenceRef(
                item_id=word(),
                sha256=_sha("x"),
                received_at=datetime(2026, 1, 1, tzinfo=UTC),
                title=word(),
                kind=word(),
            )
        ],
        urls=[ContentRef(url=word(), description=word())],
        offences=[OffenceRef(title=word(), articles=word())],
        reports=[ReportRef(service=word(), reference=word())],
        pharos_category=word(),
        request_reference=word(),
        request_outcome=word(),
        witness_name=word(),
        witness_birth_place=word(),
        witness_address=word(),
        witness_occupation=word(),
        witness_relationship=word(),
        witness_facts=word(),
    )


def _docx_text(data: bytes) -> str:
    document = docx.Document(BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


class _Reader(HTMLParser):
    """The text of an HTML fragment, and every tag and attribute it holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "br":
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _read_html(fragment: str) -> _Reader:
    reader = _Reader()
    reader.feed(fragment)
    reader.close()
    return reader


_ALLOWED_TAGS = {
    "article",
    "h1",
    "h2",
    "p",
    "ul",
    "li",
    "dl",
    "dt",
    "dd",
    "address",
    "br",
    "mark",
    "bdi",
    "div",
}


def _check_html(fragment: str, lang: Lang) -> str:
    reader = _read_html(fragment)
    assert reader.tags[0][0] == "article" and dict(reader.tags[0][1])["lang"] == lang
    for tag, attrs in reader.tags:
        assert tag in _ALLOWED_TAGS, tag
        assert {name for name, _ in attrs} <= {"lang", "class"}, attrs
    return "".join(reader.text)


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_hostile_values_stay_literal_in_every_output(kind: LetterKind) -> None:
    values = _hostile_values()
    for lang in LANGS:
        filled = letter(kind, values, lang)
        quoted = letter_values(filled)
        assert quoted, "the template quotes values"
        text = " ".join(as_text(filled).split())  # the text is wrapped
        in_docx = _docx_text(letter_docx(filled))
        fragment = letter_html(filled)
        in_html = _check_html(fragment, lang)
        for value in quoted:
            assert " ".join(value.split()) in text
            assert value in in_docx
            assert value in in_html
        assert "<script" not in fragment and "<img" not in fragment
        if any("<script>" in value for value in quoted):
            assert "&lt;script&gt;" in fragment


def test_a_value_that_looks_like_a_placeholder_is_not_filled_again() -> None:
    text = as_text(letter("plainte", LetterValues(person_name="{facts}", facts="SECRET"), "fr"))
    assert "Je soussigné(e) {facts}," in text
    assert text.count("SECRET") == 1


def test_control_characters_show_as_a_replacement_character_everywhere() -> None:
    values = LetterValues(
        person_name="A\x00B\x1b[31mC\ud800D\ufffeE", facts="ligne 1\r\nligne 2\rligne 3\u2028fin\tok"
    )
    filled = letter("plainte", values, "fr")
    assert "A\ufffdB\ufffd[31mC\ufffdD\ufffdE" in letter_values(filled)
    text = as_text(filled)
    assert "ligne 1\nligne 2\nligne 3\nfin ok" in text
    assert "A\ufffdB\ufffd[31mC\ufffdD\ufffdE" in _docx_text(letter_docx(filled))
    assert "\x1b" not in letter_html(filled)


# -- DOCX and HTML ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_docx_is_deterministic(kind: LetterKind) -> None:
    filled = letter(kind, case_values(kind))
    first, second = letter_docx(filled), letter_docx(filled)
    assert first == second
    with zipfile.ZipFile(BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert package.testzip() is None
    properties = docx.Document(BytesIO(first)).core_properties
    assert properties.created == properties.modified == datetime(2000, 1, 1, tzinfo=UTC)
    assert properties.title == filled.title
    assert properties.author == "" and properties.last_modified_by == ""


def test_docx_has_headings_bullets_and_highlighted_blanks() -> None:
    document = docx.Document(
        BytesIO(letter_docx(letter("plainte", VALUES.model_copy(update={"court_city": None}))))
    )
    styles = [p.style.name for p in document.paragraphs]
    assert "Heading 2" in styles and "List Bullet" in styles
    blanks = [
        run.text
        for p in document.paragraphs
        for run in p.runs
        if run.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    assert blanks == ["[à compléter : ville du tribunal judiciaire]", "[à compléter : nom, s’il est connu]"]
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    witness = docx.Document(BytesIO(letter_docx(letter("witness", VALUES))))
    assert witness.paragraphs[0].style.name == "Title"
    assert sum(p.text == "_" * 60 for p in witness.paragraphs) == 12


def test_docx_keeps_line_breaks_of_a_value() -> None:
    text = _docx_text(letter_docx(letter("plainte", VALUES)))
    assert "en moins d’une heure.\nLe 2 mars" in text


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_html_is_a_semantic_escaped_fragment(kind: LetterKind) -> None:
    for lang in LANGS:
        filled = letter(kind, LetterValues(), lang)
        fragment = letter_html(filled)
        _check_html(fragment, lang)
        assert fragment.startswith(f'<article lang="{lang}" class="letter letter-{kind}">\n')
        assert fragment.count("<h1>") == 1
        assert '<mark class="letter-blank">' in fragment
        assert "style" not in fragment and "<script" not in fragment


def test_html_for_the_pdf_leaves_out_a_letters_title_but_not_a_forms() -> None:
    assert "<h1>" not in letter_html(letter("plainte", VALUES), preview=False)
    assert "<h1>Attestation de témoin</h1>" in letter_html(letter("witness", VALUES), preview=False)


def test_html_groups_fields_in_a_definition_list() -> None:
    fragment = letter_html(letter("witness", VALUES))
    assert fragment.count("<dl") == fragment.count("</dl>") >= 3
    assert "<dt>Nom et prénoms</dt>\n<dd><bdi>Inès Lefèvre</bdi></dd>" in fragment
    assert '<dd class="letter-handwriting"><mark class="letter-blank">' in fragment


# -- properties --------------------------------------------------------------------------------

_TEXT = st.text(max_size=30)
_MAYBE_TEXT = st.none() | _TEXT
_DATES = st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
_ZONES = st.sampled_from(
    [UTC, PARIS, timezone(timedelta(hours=-3, minutes=-30)), timezone(timedelta(hours=14))]
)
_TIMES = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=_ZONES)
_HASH = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)

_STR_FIELDS = [n for n, i in LetterValues.model_fields.items() if i.annotation == (str | None)]
_DATE_FIELDS = [n for n, i in LetterValues.model_fields.items() if i.annotation == (date | None)]
_OTHER_FIELDS = {
    "was_minor": st.none() | st.booleans(),
    "reporter_is_victim": st.none() | st.booleans(),
    "platforms": st.lists(_TEXT, max_size=3),
    "authors": st.lists(
        st.builds(
            Author, name=_MAYBE_TEXT, handle=_MAYBE_TEXT, profile_url=_MAYBE_TEXT, platform=_MAYBE_TEXT
        ),
        max_size=3,
    ),
    "evidence": st.lists(
        st.builds(
            EvidenceRef, item_id=_TEXT, sha256=_HASH, received_at=_TIMES, title=_MAYBE_TEXT, kind=_MAYBE_TEXT
        ),
        max_size=3,
    ),
    "urls": st.lists(
        st.builds(ContentRef, url=_TEXT, published_at=st.none() | _TIMES | _DATES, description=_MAYBE_TEXT),
        max_size=3,
    ),
    "offences": st.lists(st.builds(OffenceRef, title=_TEXT, articles=_TEXT), max_size=3),
    "reports": st.lists(
        st.builds(ReportRef, service=_TEXT, reference=_MAYBE_TEXT, made_on=_DATES), max_size=3
    ),
}
_VALUES = st.builds(
    LetterValues,
    **dict.fromkeys(_STR_FIELDS, _MAYBE_TEXT),
    **dict.fromkeys(_DATE_FIELDS, _DATES),
    **_OTHER_FIELDS,
)


def test_the_values_strategy_covers_every_field() -> None:
    covered = [*_STR_FIELDS, *_DATE_FIELDS, *_OTHER_FIELDS]
    assert sorted(covered) == sorted(LetterValues.model_fields)


def _expected(value: str) -> str:
    """A value as every output must show it, spaces aside: control characters made visible."""
    shown = []
    for char in value:
        if char in "\t\n\r\u2028\u2029":
            shown.append(" ")
        elif (
            char in "\ufffe\uffff"
            or (0xD800 <= ord(char) <= 0xDFFF)
            or ord(char) < 0x20
            or 0x7F <= ord(char) <= 0x9F
        ):
            shown.append("\ufffd")
        else:
            shown.append(char)
    return " ".join("".join(shown).split())


def _given_strings(template: LetterTemplate, values: LetterValues) -> list[str]:
    """The text values a template declares, as given (only those it shows as they are)."""
    found: list[str] = []
    for name in template.placeholders:
        raw = getattr(values, name)
        if isinstance(raw, str):
            found.append(raw)
        elif name == "platforms":
            found.extend(raw)
    for list_name, declaration in template.lists.items():
        for item in getattr(values, list_name):
            found.extend(v for f in declaration.fields if isinstance(v := getattr(item, f), str))
    return found


@given(values=_VALUES)
def test_any_values_fill_every_letter_and_reach_the_text_verbatim(values: LetterValues) -> None:
    for template in load_letter_templates().templates:
        for lang in LANGS:
            filled = fill(template, values, lang)
            text = " ".join(as_text(filled).split())
            for value in _given_strings(template, values):
                assert _expected(value) in text
            for line in letter_lines(filled):
                assert all(span.text for span in line)


@settings(max_examples=25)
@given(values=_VALUES, kind=st.sampled_from(LETTER_KINDS), lang=st.sampled_from(LANGS))
def test_any_values_reach_docx_and_html_verbatim(values: LetterValues, kind: LetterKind, lang: Lang) -> None:
    filled = letter(kind, values, lang)
    in_docx = _docx_text(letter_docx(filled))
    in_html = _check_html(letter_html(filled), lang)
    for value in letter_values(filled):
        assert value in in_docx
        assert value in in_html
