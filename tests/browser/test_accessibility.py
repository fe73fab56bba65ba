"""axe-core (WCAG 2.1 A/AA and RGAA tags) on every page, in every state: 0 violations."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from recours.domain.letters import LETTER_KINDS
from recours.services import chat as chat_svc
from recours.services import dossier as dossier_svc
from tests.browser.conftest import base_url, erase_leftover_vault, fresh_vault, open_context
from tests.conftest import TOKEN

pytestmark = pytest.mark.browser

# Three people insult and threaten Léa on one evening: the analysis page shows every section.
HOSTILE_CHAT = """02/03/2026 21:00 - Hugo: Léa t'es qu'une sale pute
02/03/2026 21:05 - Inès: @Léa va te pendre
02/03/2026 22:30 - Noah: Léa je vais te tuer
09/03/2026 18:00 - Hugo: Léa sale pute
20/03/2026 12:00 - Hugo: Léa je vais te tuer
"""
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "RGAAv4"]
AXE = Axe()

PAGES = [
    "/",
    "/urgence",
    "/organismes",
    "/organismes/3018",
    "/organismes/3020",
    "/organismes/ofac",
    "/organismes/sos-cyberharcelement",
    "/organismes/119",
    "/organismes/pharos",
    "/organismes/116006",
    "/orientation",
    "/orientation/danger",
    "/orientation/wellbeing",
    "/orientation/role",
    "/orientation/situations",
    "/orientation/visibility",
    "/orientation/context",
    "/orientation/goals",
    "/sortie-rapide",
    "/protection",
    "/aide/aide",
    "/aide/preuves",
    "/aide/analyse",
    "/aide/dossier",
    "/page-qui-n-existe-pas",
]


def violations(page: Page) -> list[str]:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_violation(page: Page, path: str) -> None:
    page.goto(base_url(page) + path)
    assert violations(page) == []


def test_pages_in_error_and_result_states_have_no_violation(page: Page) -> None:
    base = base_url(page)
    page.goto(base + "/orientation/situations")
    page.get_by_role("button", name="Continuer").click()
    assert violations(page) == []
    page.goto(base + "/orientation/role")
    page.get_by_label("la personne visée", exact=True).check()
    page.get_by_label("Quel âge a la personne visée ?").fill("deux")
    page.get_by_role("button", name="Continuer").click()
    assert violations(page) == []
    page.get_by_label("Quel âge a la personne visée ?").fill("15")
    page.get_by_role("button", name="Continuer").click()
    page.goto(base + "/orientation/danger")
    page.get_by_role(
        "group", name="Êtes-vous, ou la personne concernée, en danger en ce moment ?"
    ).get_by_label("Oui").check()
    page.get_by_role("button", name="Continuer").click()
    page.goto(base + "/orientation/situations")
    page.get_by_label("Menaces").check()
    page.get_by_role("button", name="Continuer").click()
    page.goto(base + "/orientation/resultats")
    assert "À faire tout de suite" in page.content()
    assert violations(page) == []
    page.goto(base + "/organismes")
    page.get_by_label("Rechercher un organisme ou un sujet").fill("école")
    page.get_by_role("button", name="Rechercher").click()
    assert violations(page) == []


def test_english_pages_have_no_violation(page: Page) -> None:
    page.get_by_role("button", name="English").click()
    base = base_url(page)
    for path in ("/", "/organismes/3018", "/orientation/situations"):
        page.goto(base + path)
        assert violations(page) == [], path


def test_the_access_refused_page_has_no_violation(browser: Browser, server_url: str) -> None:
    context = open_context(browser, server_url)
    page = context.new_page()
    page.goto(server_url + "/")
    assert "lien de lancement" in page.content()
    assert violations(page) == []
    page.goto(f"{server_url}/?token={TOKEN}")
    context.close()


def test_vault_pages_have_no_violation(browser: Browser, server_url: str, tmp_path: Path) -> None:
    context = open_context(browser, server_url)
    page = context.new_page()
    page.goto(f"{server_url}/?token={TOKEN}")
    erase_leftover_vault(page)
    page.goto(server_url + "/coffre")
    assert violations(page) == [], "create"
    page.get_by_label("Choisissez une phrase secrète").fill("court")
    page.get_by_label("Répétez-la").fill("court")
    page.get_by_role("button", name="Créer le coffre").click()
    assert violations(page) == [], "create error"
    page.get_by_label("Choisissez une phrase secrète").fill("une phrase assez longue")
    page.get_by_label("Répétez-la").fill("une phrase assez longue")
    page.get_by_role("button", name="Créer le coffre").click()
    assert violations(page) == [], "recovery key"
    page.get_by_role("link", name="J’ai noté ma clé : aller au coffre").click()
    assert violations(page) == [], "empty vault"
    evidence = tmp_path / "capture.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    page.get_by_label("Fichiers (captures, photos, vidéos, sons, PDF, courriels…)").set_input_files(
        str(evidence)
    )
    page.get_by_role("button", name="Chiffrer et ajouter").click()
    assert violations(page) == [], "added"
    page.get_by_role("link", name="capture.png").click()
    assert violations(page) == [], "item"
    page.goto(server_url + "/coffre")
    golden = Path(__file__).resolve().parent.parent / "golden" / "whatsapp" / "android-fr-24h.txt"
    page.get_by_label("Fichier d’export (").set_input_files(str(golden))  # the formats listed change
    page.get_by_role("button", name="Importer").click()
    page.wait_for_selector("text=Discussion importée")
    assert violations(page) == [], "imported"
    page.goto(server_url + "/coffre")
    hostile = tmp_path / "groupe.txt"
    hostile.write_text(HOSTILE_CHAT, encoding="utf-8")
    page.get_by_label("Fichier d’export (").set_input_files(str(hostile))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_selector("text=Discussion importée")  # content() right after a click may race
    page.goto(server_url + "/coffre/analyse")
    assert "Acharnement collectif possible (plusieurs personnes, même cible)" in page.content()
    assert violations(page) == [], "analysis"
    page.get_by_role("button", name="Marquer pour le dossier").first.click()
    assert "Marqué pour le dossier." in page.content()
    assert violations(page) == [], "analysis after a mark"
    page.get_by_label("Personne", exact=True).select_option("Noah")
    page.get_by_role("button", name="Analyser").click()
    assert violations(page) == [], "analysis filtered"
    page.goto(server_url + "/coffre/dossier")
    assert violations(page) == [], "dossier"
    page.get_by_role("button", name="Noter ce contact").click()  # the browser checks "required"
    page.get_by_label("Organisme").fill("3018")
    page.get_by_role("button", name="Noter ce contact").click()
    assert "Contact noté." in page.content()
    assert violations(page) == [], "dossier with a contact"
    page.get_by_label("Chiffrer le lot avec une phrase de passe (facultatif, 12 caractères au moins)").fill("court")
    page.get_by_role("button", name="Préparer le dossier").click()
    assert violations(page) == [], "dossier error"
    page.get_by_role("button", name="Préparer le dossier").click()
    page.wait_for_selector("text=Votre dossier est prêt", timeout=60_000)
    assert violations(page) == [], "dossier ready"
    for path in ("/coffre", "/coffre/journal", "/coffre/verification", "/coffre/recu", "/coffre/effacer"):
        page.goto(server_url + path)
        assert violations(page) == [], path
    for path in ("/coffre/lettres", *(f"/coffre/lettres/{kind}" for kind in LETTER_KINDS)):
        page.goto(server_url + path)
        assert violations(page) == [], path
    page.goto(server_url + "/coffre/lettres/plainte")
    page.get_by_label("Date du premier fait").fill("2026-12-01")
    page.get_by_label("Date du fait le plus récent").fill("2026-01-01")
    page.get_by_role("button", name="Mettre à jour l’aperçu").click()
    assert "Il y a un problème" in page.content()
    assert violations(page) == [], "letter with an error"
    page.goto(server_url + "/coffre")
    page.get_by_role("button", name="Verrouiller").click()
    assert violations(page) == [], "unlock"
    page.get_by_label("Phrase secrète ou clé de récupération").fill("pas la bonne phrase")
    page.get_by_role("button", name="Ouvrir").click()
    assert violations(page) == [], "unlock error"
    context.close()


# (page, a field to fill or None, the button, the state, a text the page shows in it)
FORMS_IN_ERROR: list[tuple[str, tuple[str, str] | None, str, str, str]] = [
    ("/coffre", None, "Chiffrer et ajouter", "upload without a file", "Il y a un problème"),
    ("/coffre", ("Enregistrer une adresse (URL)", "ftp://exemple.fr/f"), "Enregistrer l’adresse", "address refused", "Il y a un problème"),
    ("/coffre", None, "Ajouter la note", "empty note", "Il y a un problème"),
    ("/coffre", ("Chercher", "introuvable"), "Filtrer", "search without result", "Aucun élément ne correspond à ces filtres."),
    ("/coffre/journal", None, "Noter l’incident", "incident without a description", "Il y a un problème"),
    ("/coffre/effacer", ("Tapez EFFACER pour confirmer", "non"), "Effacer tout le coffre maintenant", "erase not confirmed", "Rien n’a été effacé"),
]  # fmt: skip


def _without_browser_checks(page: Page) -> None:
    """Let the forms send what the browser would refuse ("required", type="url"): the server's
    own error messages are the states under test."""
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")


def test_vault_pages_in_their_empty_and_error_states_have_no_violation(
    browser: Browser, server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = open_context(browser, server_url)
    page = context.new_page()
    page.goto(f"{server_url}/?token={TOKEN}")
    fresh_vault(page)
    states: list[tuple[str, str]] = []  # (state, a text the page must show in it)

    def check(state: str, shown: str) -> None:
        assert shown in page.content(), state
        states.append((state, shown))
        assert violations(page) == [], state

    def visit(label: str, pages: tuple[tuple[str, str], ...]) -> None:
        for path, shown in pages:
            page.goto(server_url + path)
            check(label + path, shown)

    visit(
        "empty ",
        (
            ("/coffre/analyse", "Aucune discussion n’a encore été importée"),
            ("/coffre/dossier", "Mon dossier"),
            ("/coffre/journal", "Journal"),
        ),
    )
    page.goto(server_url + "/coffre")
    not_a_chat = tmp_path / "photo.txt"
    not_a_chat.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    page.get_by_label("Fichier d’export (").set_input_files(str(not_a_chat))
    page.get_by_role("button", name="Importer").click()
    check("import refused", "Il y a un problème")
    # An import and a dossier that take a while: their progress pages (the server runs in this
    # process, so its services can be slowed down here).
    release = threading.Event()

    def held_back(work):  # type: ignore[no-untyped-def]
        def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
            assert release.wait(30)
            return work(*args, **kwargs)

        return slow

    monkeypatch.setattr(chat_svc, "import_bytes", held_back(chat_svc.import_bytes))
    monkeypatch.setattr(dossier_svc, "build", held_back(dossier_svc.build))
    page.goto(server_url + "/coffre")
    golden = Path(__file__).resolve().parent.parent / "golden" / "whatsapp" / "android-fr-24h.txt"
    page.get_by_label("Fichier d’export (").set_input_files(str(golden))
    page.get_by_role("button", name="Importer").click()
    check("import in progress", "Import en cours")
    release.set()
    page.wait_for_selector("text=Discussion importée", timeout=30_000)
    release.clear()
    page.goto(server_url + "/coffre/dossier")
    page.get_by_role("button", name="Préparer le dossier").click()
    check("dossier in progress", "Préparation du dossier en cours")
    release.set()
    page.wait_for_selector("text=Votre dossier est prêt", timeout=60_000)
    monkeypatch.undo()
    for path, field, button, state, shown in FORMS_IN_ERROR:
        page.goto(server_url + path)
        _without_browser_checks(page)
        if field is not None:
            page.get_by_label(field[0]).fill(field[1])
        page.get_by_role("button", name=button).click()
        check(state, shown)
    page.get_by_role("button", name="English").click()
    visit(
        "English ",
        (
            ("/coffre", "My evidence"),
            ("/coffre/analyse", "Messages to check"),
            ("/coffre/journal", "Incident journal"),
        ),
    )
    assert len(states) == 15
    context.close()


def test_pages_reflow_at_320_pixels_without_sideways_scrolling(
    browser: Browser, server_url: str, tmp_path: Path
) -> None:
    """WCAG 1.4.10 / RGAA 10.11: at 320 CSS pixels wide (a small phone, or 400 % zoom), nothing
    needs scrolling sideways: the orientation pages, and the vault's with a chat in it."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{server_url}/?token={TOKEN}")
    fresh_vault(page)
    hostile = tmp_path / "groupe.txt"
    hostile.write_text(HOSTILE_CHAT, encoding="utf-8")
    page.get_by_label("Fichier d’export (").set_input_files(str(hostile))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_selector("text=Discussion importée")
    vault_pages = ["/coffre", "/coffre/analyse", "/coffre/journal", "/coffre/dossier", "/coffre/verification",
                   "/coffre/recu", "/coffre/lettres", "/coffre/lettres/plainte"]  # fmt: skip
    too_wide = {}
    for path in PAGES + vault_pages:
        page.goto(server_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[path] = page.evaluate(WIDEST)
    context.close()
    assert too_wide == {}


# The elements that reach past the page's right edge (to say what overflows).
WIDEST = """() => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(-3).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))"""
