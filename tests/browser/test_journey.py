"""The orientation journey in a real browser, with JavaScript on and off; the quick exit."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import base_url, fresh_vault

pytestmark = pytest.mark.browser


def answer_school_harassment_of_a_13_year_old(page: Page) -> None:
    page.get_by_role("link", name="Trouver de l’aide", exact=True).first.click()
    page.get_by_role("link", name="Commencer").click()
    expect(page.get_by_text("Étape 1 sur 7")).to_be_visible()
    page.get_by_role("group", name=re.compile("en danger en ce moment")).get_by_label("Non").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Non").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("la personne visée", exact=True).check()
    page.get_by_label("Quel âge a la personne visée ?").fill("13")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Harcèlement à l’école").check()
    page.get_by_label(re.compile("^Harcèlement en ligne")).check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label(re.compile("^privés")).check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("group", name=re.compile("lié à l’école")).get_by_label("Oui").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("En parler à quelqu’un").check()
    page.get_by_role("button", name="Voir mes résultats").click()


@pytest.mark.parametrize("fixture", ["page", "page_without_js"])
def test_the_questionnaire_leads_a_pupil_to_the_3018(request: pytest.FixtureRequest, fixture: str) -> None:
    page: Page = request.getfixturevalue(fixture)
    answer_school_harassment_of_a_13_year_old(page)
    expect(page.get_by_role("heading", name="Vers qui vous tourner")).to_be_visible()
    first = page.locator("ol.cards > li").first
    expect(first.get_by_role("link").first).to_have_attribute("href", "/organismes/3018")
    expect(first).to_contain_text("Ouvert maintenant")
    path = urlsplit(page.url).path + "?" + urlsplit(page.url).query
    assert path == "/orientation/resultats?"  # no answer (the age, 13) in the address


def test_the_back_button_keeps_the_answers(page: Page) -> None:
    page.goto(base_url(page) + "/orientation/role")
    page.get_by_label("témoin", exact=True).check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("link", name="Retour").click()
    expect(page.get_by_label("témoin", exact=True)).to_be_checked()


def test_a_missing_answer_moves_focus_to_the_error_summary_without_losing_the_page(
    page_without_js: Page,
) -> None:
    page = page_without_js
    page.goto(base_url(page) + "/orientation/situations")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("alert")).to_contain_text("Merci de choisir une réponse")


def test_danger_now_is_one_click_from_any_page(page: Page) -> None:
    page.goto(base_url(page) + "/organismes/cnil")
    page.get_by_role("link", name="Je suis en danger maintenant").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes en danger maintenant")
    expect(page.locator('a[href="tel:17"]').first).to_be_visible()


def test_three_shift_presses_leave_for_the_neutral_site_and_forget_the_session(page: Page) -> None:
    base = base_url(page)
    page.goto(base + "/orientation/role")
    page.get_by_label("la personne visée", exact=True).check()
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page).to_have_url("https://meteofrance.com/")
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    page.goto(base + "/orientation/role")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrez Recours avec son lien de lancement")


# What the page's origin keeps in the browser (the session cookie is HttpOnly: not seen here).
BROWSER_STORAGES = """async () => ({
    web: localStorage.length + sessionStorage.length,
    databases: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
    cookies: document.cookie.length,
})"""
NOTHING_STORED = {"web": 0, "databases": 0, "caches": 0, "cookies": 0}


def test_after_a_quick_exit_the_back_button_shows_nothing_of_the_case(page: Page, tmp_path: Path) -> None:
    """Someone takes the device: Back after leaving must show neither the evidence nor the
    vault, and the browser keeps nothing of the case in its storages."""
    fresh_vault(page)
    evidence = tmp_path / "capture-menaces-kevin.txt"
    evidence.write_text("Je sais où tu habites", encoding="utf-8")
    page.get_by_label("Fichiers (captures, photos, vidéos, sons, PDF, courriels…)").set_input_files(str(evidence))
    page.get_by_role("button", name="Chiffrer et ajouter").click()
    page.get_by_role("link", name="capture-menaces-kevin.txt").click()
    expect(page.locator("pre.evidence-text")).to_have_text("Je sais où tu habites")
    page.wait_for_load_state()  # the page's scripts have run (htmx, then ours)
    assert page.evaluate(BROWSER_STORAGES) == NOTHING_STORED  # nor while the case is open
    page.get_by_role("link", name="Quitter rapidement").click()
    expect(page).to_have_url("https://meteofrance.com/")
    page.go_back()
    page.wait_for_load_state()
    shown = page.content()
    assert "menaces-kevin" not in shown and "Je sais où tu habites" not in shown
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrez Recours avec son lien de lancement")
    assert page.evaluate(BROWSER_STORAGES) == NOTHING_STORED


def test_the_quick_exit_button_works_without_javascript(page_without_js: Page) -> None:
    page = page_without_js
    base = base_url(page)
    page.get_by_role("link", name="Quitter rapidement").click()
    expect(page).to_have_url("https://meteofrance.com/")
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrez Recours avec son lien de lancement")


def test_the_quick_exit_comes_right_after_the_skip_link(page: Page) -> None:
    # The skip link first (RGAA 12.7), then the quick exit: two key presses away from leaving.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"


def test_live_search_filters_the_directory(page: Page) -> None:
    page.goto(base_url(page) + "/organismes")
    page.get_by_label("Rechercher un organisme ou un sujet").fill("données")
    expect(page.locator("#directory-results")).not_to_contain_text("3114")
    expect(page.locator("#directory-results a[href='/organismes/cnil']")).to_be_visible()
    assert "données" not in page.url


def test_english_switch(page: Page) -> None:
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Leave quickly")).to_be_visible()


def test_adding_evidence_without_javascript(page_without_js: Page, tmp_path: Path) -> None:
    page = page_without_js
    fresh_vault(page)
    evidence = tmp_path / "message.txt"
    evidence.write_text("Tu vas voir ce soir", encoding="utf-8")
    page.get_by_label("Étiquettes (séparées par des virgules)").fill("snapchat")
    page.get_by_label("Fichiers (captures, photos, vidéos, sons, PDF, courriels…)").set_input_files(
        str(evidence)
    )
    page.get_by_role("button", name="Chiffrer et ajouter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouté au coffre")
    page.get_by_role("link", name="message.txt").click()
    expect(page.locator("pre.evidence-text")).to_have_text("Tu vas voir ce soir")


def test_files_dropped_on_the_form_are_added(page: Page) -> None:
    fresh_vault(page)
    page.wait_for_load_state("load")  # recours.js must be listening before the drop (was flaky)
    transfer = page.evaluate_handle(
        "() => { const d = new DataTransfer();"
        " d.items.add(new File(['capture du soir'], 'glisse.txt', {type: 'text/plain'})); return d; }"
    )
    page.dispatch_event("form.upload", "drop", {"dataTransfer": transfer})
    page.get_by_role("button", name="Chiffrer et ajouter").click()
    expect(page.get_by_role("link", name="glisse.txt")).to_be_visible()
