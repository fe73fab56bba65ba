"""``recours draft`` and the letters pages: filled from a vault whose journal, chats, addresses
and contacts are known; edits; the three formats; hostile values kept as text; refusals.

The letter texts themselves (golden files, the templates' rules) are tested in test_letters.py.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from recours.adapters import vault_keys
from recours.adapters.letter_files import load_letter_templates
from recours.cli.main import run
from recours.domain.letters import LETTER_KINDS, Author, LetterValues
from recours.errors import BadInput
from recours.services import letters as letters_svc
from tests.conftest import TOKEN, host_client, make_app
from tests.test_analysis_cli_web import EXPORT
from tests.test_web_vault import create, session_with_chat
from tests.vault_helpers import FAST

INCIDENT = "Un compte publie mes photos avec des insultes sous chaque publication."
HANDLE = "verite_sur_lea"
PROFILE = "https://photogram.example/verite_sur_lea"
CONTENT_URL = "https://photogram.example/p/C3xAmPLe01/"
HOSTILE = "<script>alert(1)</script> {{7*7}} {person_name}"
TEMPLATES = load_letter_templates()


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault_keys, "STRONG", FAST)


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict[str, str]:
    """A vault with a group chat (Hugo, Inès and Noah are hostile to Léa), a journal entry,
    an address and a Pharos report; returns the ids of its items."""
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "coffre"))
    monkeypatch.setenv("RECOURS_PASSPHRASE", "phrase de test assez longue")
    monkeypatch.setenv("RECOURS_FIXED_TIME", "2026-11-28T12:00:00+01:00")
    (tmp_path / "groupe.txt").write_text(EXPORT, encoding="utf-8")
    assert run(["vault", "init"]) == 0
    assert run(["import", str(tmp_path / "groupe.txt"), "--me", "Léa", "--json"]) == 0
    capsys.readouterr()
    assert run(["url", CONTENT_URL]) == 0
    url_id = capsys.readouterr().out.split()[0]
    incident = [
        "incident", "add", "--what", INCIDENT, "--when", "2026-02-14T21:07:00+01:00",
        "--platform", "Photogram", "--author", HANDLE, "--author-url", PROFILE, "--witness", "Inès L.",
    ]  # fmt: skip
    assert run(incident) == 0
    assert run(["contact", "Pharos", "--on", "2026-02-15", "--ref", "PHA-2026-0214"]) == 0
    capsys.readouterr()
    return {"url": url_id}


def draft(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(["draft", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read("word/document.xml").decode("utf-8")


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_plainte_is_filled_from_the_vault(
    vault: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, err = draft(capsys, "plainte")
    assert code == 0
    flat = " ".join(text.split())
    # The journal, in the person's words, dated; the first and last facts (journal and chats).
    assert "Le 14 février 2026 à 21 h 07, sur Photogram : " + " ".join(INCIDENT.split()) in flat
    assert "Les faits ont commencé le 14 février 2026. Le plus récent date du 20 mars 2026." in flat
    assert "Photogram, WhatsApp" in flat
    # The journal's author with the profile, then the authors of hostile messages in the chat.
    assert f"« {HANDLE} » sur Photogram, profil : {PROFILE}" in flat
    for name in ("Hugo", "Inès", "Noah"):
        assert f"« {name} » sur WhatsApp" in flat
    assert "« Léa »" not in flat  # the person herself is not an author
    # Every item with its SHA-256, the report, the offences that may apply.
    assert f"Pièce {vault['url']} : {CONTENT_URL} (adresse web)" in flat
    assert re.search(r"SHA-256 : [0-9a-f]{64}", flat)
    assert "Pharos, le 15 février 2026, référence : PHA-2026-0214" in flat
    assert "code pénal, art. 222-33-2-2" in flat
    assert "Lettre recommandée" in flat and "le 28 novembre 2026" in flat
    assert "Passages à compléter avant l’envoi" in err


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_each_kind_gives_txt_docx_and_pdf(
    kind: str, vault: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    title = TEMPLATES.get(kind).title.get("fr")  # type: ignore[arg-type]
    name = "Inès Lefèvre-Témoin" if kind == "witness" else "Léa Martin-Exemple"
    field = "witness_name" if kind == "witness" else "person_name"
    for suffix in ("txt", "docx", "pdf"):
        out = tmp_path / f"lettre.{suffix}"
        code, said, _ = draft(capsys, kind, "--out", str(out), "--set", f"{field}={name}")
        assert code == 0, said
        assert "Lettre écrite" in said and "Avant d’envoyer" in said
        data = out.read_bytes()
        if suffix == "txt":
            assert name in data.decode("utf-8")
        elif suffix == "docx":
            assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
            assert name in docx_text(data)
        else:
            assert data.startswith(b"%PDF-")
            reader = PdfReader(io.BytesIO(data))
            assert reader.metadata is not None and reader.metadata.title == title
            assert name in pdf_text(data)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("lettre")) == [
        "lettre.docx",
        "lettre.pdf",
        "lettre.txt",
    ]  # written atomically: no temporary file is left behind


def test_set_replaces_what_the_vault_filled(
    vault: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, _ = draft(
        capsys,
        "plainte",
        "--set", "person_name=Léa Martin",
        "--set", "person_address=12 rue des Lilas\n69003 Lyon",
        "--set", "first_date=01/02/2026",
        "--set", "authors=lucas.d69 | https://cliptok.example/@lucas.d69 | ClipTok | Lucas D.",
        "--set", "offences=",
        "--set", "facts=Depuis février, des insultes chaque jour.",
    )  # fmt: skip
    assert code == 0
    flat = " ".join(text.split())
    assert flat.startswith("Léa Martin 12 rue des Lilas 69003 Lyon")
    assert "Les faits ont commencé le 1er février 2026." in flat
    assert (
        "Lucas D., pseudonyme « lucas.d69 » sur ClipTok, profil : https://cliptok.example/@lucas.d69" in flat
    )
    assert HANDLE not in flat and "Hugo" not in flat  # the list was replaced
    assert "[à compléter : infractions qui peuvent s’appliquer]" in flat
    assert "Depuis février, des insultes chaque jour." in flat and INCIDENT not in flat


def test_evidence_can_be_removed_not_invented(
    vault: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, _ = draft(
        capsys, "plainte", "--set", f"evidence={vault['url']} | La publication du 14 février"
    )
    assert code == 0
    flat = " ".join(text.split())
    assert f"Pièce {vault['url']} : La publication du 14 février (adresse web), enregistrée le" in flat
    assert flat.count("Pièce ") == 1  # the chat export was removed
    assert re.search(r"SHA-256 : [0-9a-f]{64}", flat)  # the hash comes from the vault
    code, _, err = draft(capsys, "plainte", "--set", "evidence=zzzz9999 | inventée")
    assert code == 2 and "n’est pas dans le coffre" in " ".join(err.split())


def test_hostile_values_stay_text_in_every_format(
    vault: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setting = ["--set", f"person_name={HOSTILE}", "--set", f"authors={HOSTILE} | {PROFILE}"]
    code, text, _ = draft(capsys, "plainte", *setting)
    assert code == 0 and HOSTILE in text  # {{7*7}} not evaluated, {person_name} not filled
    assert draft(capsys, "plainte", "--out", str(tmp_path / "l.docx"), *setting)[0] == 0
    xml = docx_text((tmp_path / "l.docx").read_bytes())
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}} {person_name}" in xml and "<script>" not in xml
    assert draft(capsys, "plainte", "--out", str(tmp_path / "l.pdf"), *setting)[0] == 0
    pdf = (tmp_path / "l.pdf").read_bytes()
    assert b"/JavaScript" not in pdf and b"/URI" not in pdf
    assert "{{7*7}}" in pdf_text(pdf) and "alert(1)" in pdf_text(pdf)


def test_the_letter_in_english_and_on_stdout(
    vault: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, _ = draft(capsys, "plainte", "--letter-lang", "en")
    assert code == 0
    flat = " ".join(text.split())
    assert "The facts began on 14 February 2026." in flat
    assert "On 14 February 2026 at 21:07, on Photogram: " in flat
    assert "(web address)" in flat


def test_without_the_vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "nowhere"))
    monkeypatch.setenv("RECOURS_FIXED_TIME", "2026-11-28T12:00:00+01:00")
    code, text, _ = draft(capsys, "witness", "--no-vault", "--set", "witness_name=Inès L.")
    assert code == 0 and "Nom et prénoms : Inès L." in text
    assert not (tmp_path / "nowhere").exists()


def test_list_shows_every_kind_its_purpose_basis_and_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = draft(capsys, "--list")
    assert code == 0
    for template in TEMPLATES.templates:
        assert f"{template.id} — {template.title.fr}" in out
        assert template.legal_basis[0].reference.fr in out
        for field in letters_svc.fields_of(template):
            assert f"    {field.name} : " in out
    assert "authors : Les auteurs — Une personne par ligne" in out


def test_the_help_names_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["draft", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for kind in LETTER_KINDS:
        assert kind in help_text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lettre-au-pere-noel"], "Type de lettre inconnu : « lettre-au-pere-noel »"),
        ([], "Indiquez le type de lettre"),
        (["plainte", "--set", "couleur=bleu"], "Champ inconnu pour cette lettre : « couleur »"),
        (["plainte", "--set", "witness_name=Inès"], "Champ inconnu pour cette lettre : « witness_name »"),
        (
            ["plainte", "--set", "first_date=31/02/2026"],
            "first_date (Date du premier fait) : Date non valable",
        ),
        (
            ["plainte", "--set", "first_date=2026-03-20", "--set", "last_date=2026-03-01"],
            "ne peut pas être avant",
        ),
        (["plainte", "--set", "place"], "écrivez CHAMP=VALEUR"),
        (["plainte", "--set", "place=Lyon\nParis"], "Une seule ligne ici"),
        (["erasure", "--set", "was_minor=peut-être"], "Répondez oui ou non"),
        (["erasure", "--set", "urls=photogram.example/p/1"], "doit commencer par http:// ou https://"),
        (["pharos", "--set", f"urls={CONTENT_URL} | 2026-02-14 20:31"], "avec le décalage horaire"),
        (["plainte", "--format", "pdf"], "indiquez où l’écrire avec --out"),
        (["plainte", "--format", "odt"], "Format inconnu"),
        (["plainte", "--out", "lettre.odt"], "doit finir par .txt, .docx ou .pdf"),
        (
            ["plainte", "--out", "lettre.pdf", "--format", "docx"],
            "finit par .pdf, mais le format demandé est docx",
        ),
        (["plainte", "--letter-lang", "de"], "Langue de lettre inconnue"),
    ],
)
def test_refusals_exit_2_with_a_french_message(
    args: list[str], message: str, vault: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = draft(capsys, *args)
    assert code == 2
    assert message in " ".join(err.split()), err
    assert out == ""


def test_an_existing_file_is_replaced_only_with_force(
    vault: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lettre.txt"
    out.write_text("à garder", encoding="utf-8")
    code, _, err = draft(capsys, "plainte", "--out", str(out))
    assert code == 2 and "existe déjà. Ajoutez --force" in " ".join(err.split())
    assert out.read_text(encoding="utf-8") == "à garder"
    assert draft(capsys, "plainte", "--out", str(out), "--force")[0] == 0
    assert "procureur" in out.read_text(encoding="utf-8")
    code, _, err = draft(capsys, "plainte", "--out", str(tmp_path / "absent" / "l.txt"))
    assert code == 2 and "n’existe pas" in " ".join(err.split())


# -- the service: edits ------------------------------------------------------------------------


def test_unchanged_texts_keep_the_values_exactly() -> None:
    template = TEMPLATES.get("plainte")
    values = LetterValues(
        authors=[Author(handle="a|b", profile_url="https://x.example/a", platform="X")],
        platforms=["Photogram", "ClipTok"],
        was_minor=True,
    )
    texts = {f.name: letters_svc.field_text(values, f.name) for f in letters_svc.fields_of(template)}
    assert texts["authors"] == "a\\|b | https://x.example/a | X"
    # As a browser sends a textarea back: CRLF line ends.
    sent = {name: text.replace("\n", "\r\n") for name, text in texts.items()}
    assert letters_svc.edit(template, values, sent) == (values, [])
    edited, problems = letters_svc.edit(template, values, {"authors": texts["authors"] + " | Nom"})
    assert problems == [] and edited.authors == [
        Author(handle="a|b", profile_url="https://x.example/a", platform="X", name="Nom")
    ]


def test_every_problem_names_its_field() -> None:
    template = TEMPLATES.get("plainte")
    values, problems = letters_svc.edit(
        template, LetterValues(), {"first_date": "hier", "person_birth_date": "2026-02-30", "place": "Lyon"}
    )
    assert values.place == "Lyon"  # the good edits are kept
    assert [p.name for p in problems] == ["first_date", "person_birth_date"]
    assert all(p.message.fr and p.message.en for p in problems)
    with pytest.raises(BadInput) as error:
        letters_svc.apply_edits(template, LetterValues(), {"first_date": "hier"})
    assert error.value.en.startswith("first_date (Date of the first incident): Invalid date")


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        (None, None, "txt"),
        ("a.pdf", None, "pdf"),
        ("a.DOCX", None, "docx"),
        ("a", "pdf", "pdf"),
        ("a.txt", "txt", "txt"),
    ],
)
def test_the_format_follows_the_option_then_the_suffix(
    name: str | None, fmt: str | None, expected: str
) -> None:
    assert letters_svc.format_of(name, fmt) == expected


# -- the web pages ------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of the letter form as a browser would send them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._in_form = "letter-form" in (a.get("class") or "")
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and name not in ("csrf_token",):
            self.fields[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea, self.fields[name] = name, ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def preview_of(html: str) -> str:
    return html.split('class="letter-page"', 1)[1]


def addresses(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """A browser with an open vault holding the same facts as the command line's."""
    with session_with_chat(tmp_path / "coffre", EXPORT) as (client, csrf):
        assert (
            client.post("/coffre/adresse", data={"csrf_token": csrf, "url": CONTENT_URL}).status_code == 200
        )
        journal = {
            "csrf_token": csrf, "occurred_at": "2026-02-14T21:07", "platform": "Photogram",
            "author_handle": HANDLE, "author_url": PROFILE, "description": INCIDENT, "witnesses": "Inès L.",
        }  # fmt: skip
        assert client.post("/coffre/journal", data=journal).status_code == 200
        contact = {
            "csrf_token": csrf,
            "organisation": "Pharos",
            "on": "2026-02-15",
            "reference": "PHA-2026-0214",
        }
        assert client.post("/coffre/dossier/contact", data=contact).status_code == 200
        yield client, csrf


def test_the_letters_page_lists_every_kind_with_its_purpose_and_basis(
    browser: tuple[TestClient, str],
) -> None:
    client, _ = browser
    assert 'href="/coffre/lettres"' in client.get("/coffre").text
    html = client.get("/coffre/lettres").text
    for template in TEMPLATES.templates:
        assert f'href="/coffre/lettres/{template.id}"' in html
        assert template.purpose.fr in html
        assert template.legal_basis[0].reference.fr in html


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_each_letter_page_has_its_fields_and_a_preview(browser: tuple[TestClient, str], kind: str) -> None:
    client, _ = browser
    response = client.get(f"/coffre/lettres/{kind}")
    assert response.status_code == 200
    html = response.text
    template = TEMPLATES.get(kind)  # type: ignore[arg-type]
    assert f"<title>{template.title.fr} — Recours</title>" in html
    fields = form_of(html)
    for field in letters_svc.fields_of(template):
        assert field.name in fields
        assert f'<label for="f-{field.name}">' in html
    assert '<article lang="fr"' in preview_of(html)
    assert "<h3>" in preview_of(html) and "<h1>" not in preview_of(html)  # headings under the page's


def test_the_form_is_filled_from_the_vault(browser: tuple[TestClient, str]) -> None:
    client, _ = browser
    html = client.get("/coffre/lettres/plainte").text
    fields = form_of(html)
    assert INCIDENT in fields["facts"]
    assert fields["authors"].splitlines()[0] == f"{HANDLE} | {PROFILE} | Photogram"
    assert "Hugo |  | WhatsApp" in fields["authors"]
    assert fields["reports"] == "Pharos | 2026-02-15 | PHA-2026-0214"
    assert fields["first_date"] == "2026-02-14" and fields["last_date"] == "2026-03-20"
    assert fields["written_on"] == "2026-11-28"
    assert len(fields["evidence"].splitlines()) == 2
    preview = preview_of(html)
    assert HANDLE in preview and "PHA-2026-0214" in preview and "14 février 2026" in preview


def test_edits_change_the_preview_and_the_downloads(browser: tuple[TestClient, str]) -> None:
    client, csrf = browser
    fields = form_of(client.get("/coffre/lettres/plainte").text)
    fields.update({"csrf_token": csrf, "place": "Villeurbanne", "court_city": "Lyon", "action": "preview"})
    fields["authors"] = fields["authors"].replace(HANDLE, "autre_pseudo")
    page = client.post("/coffre/lettres/plainte", data=fields)
    assert page.status_code == 200
    preview = preview_of(page.text)
    assert "Villeurbanne" in preview and "Tribunal judiciaire de <bdi>Lyon</bdi>" in preview
    assert "autre_pseudo" in preview and HANDLE not in preview
    assert form_of(page.text)["place"] == "Villeurbanne"  # the edits stay in the form
    expected = {
        "txt": "text/plain; charset=utf-8",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
    }
    for fmt, media_type in expected.items():
        response = client.post("/coffre/lettres/plainte", data={**fields, "action": fmt})
        assert response.status_code == 200
        assert response.headers["content-type"] == media_type
        assert response.headers["content-disposition"] == f'attachment; filename="lettre-plainte.{fmt}"'
        assert response.headers["cache-control"] == "no-store"
        content = response.content
        text = (
            content.decode("utf-8")
            if fmt == "txt"
            else docx_text(content)
            if fmt == "docx"
            else pdf_text(content)
        )
        assert "Villeurbanne" in text and "autre_pseudo" in text


def test_an_english_letter_from_the_form(browser: tuple[TestClient, str]) -> None:
    client, csrf = browser
    fields = form_of(client.get("/coffre/lettres/plainte").text)
    response = client.post(
        "/coffre/lettres/plainte", data={**fields, "csrf_token": csrf, "letter_lang": "en", "action": "txt"}
    )
    assert "Dear Public Prosecutor," in response.text


def test_hostile_values_stay_text_in_the_page_and_files(browser: tuple[TestClient, str]) -> None:
    client, csrf = browser
    fields = form_of(client.get("/coffre/lettres/plainte").text)
    fields.update({"csrf_token": csrf, "person_name": HOSTILE, "facts": HOSTILE + "\n</textarea><b>gras</b>"})
    page = client.post("/coffre/lettres/plainte", data={**fields, "action": "preview"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<b>gras</b>" not in page.text and ">49<" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}} {person_name}" in preview_of(page.text)
    assert form_of(page.text)["person_name"] == HOSTILE  # the form gives it back unchanged
    txt = client.post("/coffre/lettres/plainte", data={**fields, "action": "txt"}).text
    assert HOSTILE in txt and "</textarea><b>gras</b>" in txt
    xml = docx_text(client.post("/coffre/lettres/plainte", data={**fields, "action": "docx"}).content)
    assert "&lt;script&gt;" in xml and "<script>" not in xml


def test_no_case_data_in_addresses_or_titles(browser: tuple[TestClient, str]) -> None:
    client, csrf = browser
    secret = "Léa Martin-Secret"
    for html in (
        client.get("/coffre/lettres").text,
        client.get("/coffre/lettres/plainte").text,
        client.post("/coffre/lettres/plainte", data={"csrf_token": csrf, "person_name": secret}).text,
        client.post("/coffre/lettres/plainte", data={"csrf_token": csrf, "first_date": secret}).text,
    ):
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title is not None
        for value in (secret, HANDLE, "Hugo", "PHA-2026", "photogram"):
            assert value not in title.group(1)
            assert not any(value in address for address in addresses(html))
    response = client.post(
        "/coffre/lettres/plainte", data={"csrf_token": csrf, "person_name": secret, "action": "pdf"}
    )
    assert secret not in response.headers["content-disposition"]


def test_errors_are_tied_to_their_fields_and_nothing_is_downloaded(browser: tuple[TestClient, str]) -> None:
    client, csrf = browser
    fields = form_of(client.get("/coffre/lettres/plainte").text)
    fields.update({"csrf_token": csrf, "first_date": "31/02/2026", "evidence": "zzzz9999", "action": "pdf"})
    response = client.post("/coffre/lettres/plainte", data=fields)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'aria-describedby="f-first_date-hint f-first_date-error" aria-invalid="true"' in html
    assert '<p class="error-message" id="f-first_date-error">Date non valable' in html
    assert 'id="f-evidence-error">Ligne 1 : la pièce « zzzz9999 » n’est pas dans le coffre' in html
    assert '<a href="#f-first_date">' in html and 'role="alert"' in html
    assert form_of(html)["first_date"] == "31/02/2026"


def test_the_letters_need_an_open_vault_and_the_form_token(tmp_path: Path) -> None:
    with host_client(make_app(vault_path=tmp_path / "coffre")) as client:
        client.get(f"/?token={TOKEN}")
        for path in ("/coffre/lettres", "/coffre/lettres/plainte"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"] == "/coffre"
        create(client)
        assert client.post("/coffre/lettres/plainte", data={"action": "txt"}).status_code == 403
        assert client.get("/coffre/lettres/inconnue").status_code == 404


def test_the_pages_in_english(browser: tuple[TestClient, str]) -> None:
    client, csrf = browser
    client.post("/langue", data={"csrf_token": csrf, "lang": "en", "next": "/"})
    listing = client.get("/coffre/lettres").text
    assert '<html lang="en">' in listing and "Prepare a letter" in listing
    assert TEMPLATES.get("plainte").title.en in listing
    html = client.get("/coffre/lettres/plainte").text
    assert "Your full name" in html and "Download as .pdf" in html
    assert '<article lang="fr"' in html  # the letter stays in French unless asked
