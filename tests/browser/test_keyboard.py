"""The whole journey with the keyboard only (issue 6).

From the launch link to the dossier's download link, the test presses Tab, Shift+Tab, Enter, Space
and the arrow keys, and types text: no click, no fill, no check. Each Tab stop must be on screen,
show a focus indicator and not be hidden under the sticky quick-exit bar. The only ``goto`` is the
launch link (erasing a vault another test of this server left happens in a context of its own).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import erase_leftover_vault, open_context
from tests.conftest import TOKEN

pytestmark = pytest.mark.browser

PASSPHRASE = "une phrase assez longue"

# What a keyboard user perceives of the focused element: its accessible name (roughly), its role,
# whether it is on screen, shows a focus indicator and is not covered by something else.
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {tag: "body", name: "", role: "", visible: true, indicator: true, covered: false};
  }
  const text = (s) => (s || "").replace(/\\s+/g, " ").trim();
  let name = el.getAttribute("aria-label");
  if (!name && el.getAttribute("aria-labelledby")) {
    name = el.getAttribute("aria-labelledby").split(/\\s+/)
      .map((id) => text(document.getElementById(id)?.innerText)).join(" ");
  }
  if (!name && el.labels && el.labels.length) { name = [...el.labels].map((l) => text(l.innerText)).join(" "); }
  if (!name && ["A", "BUTTON", "SUMMARY"].includes(el.tagName)) { name = el.innerText; }
  if (!name) { name = el.value || el.title || ""; }
  const tag = el.tagName.toLowerCase();
  const type = (el.getAttribute("type") || "").toLowerCase();
  const role = el.getAttribute("role") || (tag === "a" ? "link" : tag === "button" ? "button"
    : tag === "input" ? (["radio", "checkbox", "submit"].includes(type) ? type : "textbox")
    : tag === "textarea" ? "textbox" : tag === "select" ? "combobox" : tag);
  const rect = el.getBoundingClientRect();
  const visible = rect.width > 0 && rect.height > 0
    && rect.bottom > 0 && rect.right > 0 && rect.top < innerHeight && rect.left < innerWidth;
  const style = getComputedStyle(el);
  // A date input has a last Tab stop inside the browser's own shadow tree: its calendar button.
  // The input itself is then not :focus, and only chromium's thin native ring shows (see below).
  const innerPart = type === "date" && !el.matches(":focus");
  const indicator = innerPart || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== "none");
  const x = Math.min(Math.max(rect.left + rect.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(rect.top + rect.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const covered = !!hit && !(el === hit || el.contains(hit) || hit.contains(el)
    || (el.labels && [...el.labels].some((l) => l.contains(hit))));
  return {tag, type, name: text(name), role, checked: !!el.checked, field: el.name || el.id || "",
          visible, indicator, covered, innerPart};
}"""


def focused(page: Page) -> dict[str, Any]:
    info: dict[str, Any] = page.evaluate(DESCRIBE_FOCUS)
    return info


def _label(info: dict[str, Any]) -> str:
    part = " (calendar button)" if info.get("innerPart") else ""
    return f"{info['role']} «{info['name']}»{part}" + (f" [{info['field']}]" if info.get("field") else "")


def assert_focus_is_seen(page: Page, info: dict[str, Any]) -> None:
    """WCAG 2.4.7 (focus visible) and 2.4.11 (focus not obscured) at one Tab stop."""
    where = f"{page.url}: {_label(info)}"
    assert info["visible"], f"the focused element is not on screen: {where}"
    assert info["indicator"], f"the focused element shows no focus indicator: {where}"
    assert not info["covered"], f"the focused element is hidden under another element: {where}"


def _matches(info: dict[str, Any], target: str | re.Pattern[str], role: str | None) -> bool:
    if role is not None and info["role"] != role:
        return False
    if isinstance(target, re.Pattern):
        return bool(target.search(info["name"]))
    return bool(info["name"] == target)


def tab_to(
    page: Page,
    target: str | re.Pattern[str],
    *,
    role: str | None = None,
    max_presses: int = 80,
    backwards: bool = False,
) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until the focused element has this accessible name (and role).

    Every stop on the way must be visible, with a focus indicator. Fails with the stops visited.
    """
    visited: list[str] = []
    for _ in range(max_presses):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = focused(page)
        visited.append(_label(info))
        if info["tag"] != "body":
            assert_focus_is_seen(page, info)
        if _matches(info, target, role):
            return info
    raise AssertionError(
        f"{target!r} (role {role}) not reached in {max_presses} presses on {page.url}; visited:\n  "
        + "\n  ".join(visited)
    )


def press_and_wait(page: Page, key: str, heading: str | re.Pattern[str]) -> None:
    """Press a key that leaves the page, and wait for the next page's first heading."""
    page.keyboard.press(key)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading, timeout=15_000)


def erase_any_vault(browser: Browser, server_url: str) -> None:
    """Set-up, not the journey: another test of this server may have left a vault."""
    context = open_context(browser, server_url)
    page = context.new_page()
    page.goto(f"{server_url}/?token={TOKEN}")
    erase_leftover_vault(page)
    context.close()


def test_the_skip_link_is_the_first_tab_stop(page: Page) -> None:
    tab_to(page, "Aller au contenu", role="link", max_presses=1)


def test_shift_tab_never_hides_the_focus_under_the_quick_exit_bar(page: Page) -> None:
    tab_to(page, "Voir tous les organismes", role="link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    tab_to(page, "Ce que Recours protège et ne protège pas", role="link", max_presses=200)
    tab_to(page, "Quitter rapidement", role="link", backwards=True, max_presses=200)


def test_the_whole_journey_by_keyboard(browser: Browser, server_url: str) -> None:
    erase_any_vault(browser, server_url)
    context = open_context(browser, server_url)
    page = context.new_page()
    page.goto(f"{server_url}/?token={TOKEN}")  # the launch link: the only goto of the journey
    expect(page.get_by_role("heading", level=1)).to_have_text("Recours : de l’aide face au cyberharcèlement")

    # Home: the skip link is the first stop (RGAA 12.7), the quick exit the next; the skip link
    # moves the focus to the content, from which the next Tab reaches the first action.
    tab_to(page, "Aller au contenu", role="link", max_presses=1)
    tab_to(page, "Quitter rapidement", role="link", max_presses=1)
    tab_to(page, "Aller au contenu", role="link", backwards=True, max_presses=1)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    assert page.url.endswith("#contenu")
    tab_to(page, "Je suis en danger maintenant", role="link", max_presses=1)  # the first of the page
    tab_to(page, "Trouver de l’aide pour ma situation", role="link", max_presses=3)
    press_and_wait(page, "Enter", "Trouver de l’aide pour votre situation")
    tab_to(page, "Commencer", role="link")
    press_and_wait(page, "Enter", "Votre sécurité")

    # 1. danger: two yes/no groups; the arrows move the choice inside a group.
    expect(page.get_by_text("Étape 1 sur 7")).to_be_visible()
    tab_to(page, "Oui", role="radio")
    page.keyboard.press("ArrowDown")
    info = focused(page)
    assert (info["field"], info["name"], info["checked"]) == ("immediate_danger", "Non", True)
    info = tab_to(page, "Oui", role="radio", max_presses=1)  # Tab leaves the group for the next one
    assert info["field"] == "cannot_speak"
    page.keyboard.press("ArrowDown")
    assert focused(page)["checked"]
    tab_to(page, "Continuer", role="button", max_presses=1)
    press_and_wait(page, "Enter", "Comment allez-vous ?")

    # 2. wellbeing.
    tab_to(page, "Oui", role="radio")
    page.keyboard.press("ArrowDown")
    assert focused(page)["name"] == "Non" and focused(page)["checked"]
    # Shift+Tab then Tab again come back to the checked radio of the group, not the first one.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert (focused(page)["name"], focused(page)["checked"]) == ("Non", True)
    tab_to(page, "Continuer", role="button")
    press_and_wait(page, "Enter", "Qui êtes-vous ?")

    # 3. role: a radio chosen with Space, the age typed in.
    tab_to(page, "la personne visée", role="radio")
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    tab_to(page, "Quel âge a la personne visée ?", role="textbox", max_presses=1)
    page.keyboard.type("13")
    tab_to(page, "Continuer", role="button")
    press_and_wait(page, "Enter", "Que se passe-t-il ?")

    # 4. situations: checkboxes ticked with Space.
    tab_to(page, re.compile("^Harcèlement en ligne"), role="checkbox")
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    tab_to(page, "Harcèlement à l’école", role="checkbox", max_presses=1)
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    tab_to(page, "Continuer", role="button")
    press_and_wait(page, "Enter", "Où cela se passe-t-il ?")

    # 5. visibility: the second answer, with the arrow from the first.
    tab_to(page, re.compile("^publics"), role="radio")
    page.keyboard.press("ArrowDown")
    info = focused(page)
    assert info["name"].startswith("privés") and info["checked"]
    tab_to(page, "Continuer", role="button")
    press_and_wait(page, "Enter", "Quelques précisions")

    # 6. context: yes (Space), yes (Space), no (arrow).
    for field, key in (
        ("author_known", "Space"),
        ("school_related", "Space"),
        ("money_demanded", "ArrowDown"),
    ):
        info = tab_to(page, "Oui", role="radio")
        assert info["field"] == field
        page.keyboard.press(key)
        assert focused(page)["checked"]
    tab_to(page, "Continuer", role="button", max_presses=1)
    press_and_wait(page, "Enter", "Ce que vous voulez")

    # 7. goals: a checkbox; the date stays empty (Tab goes through its parts).
    expect(page.get_by_text("Étape 7 sur 7")).to_be_visible()
    tab_to(page, "En parler à quelqu’un", role="checkbox")
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    tab_to(page, "Voir mes résultats", role="button")
    press_and_wait(page, "Enter", "Vers qui vous tourner")

    # Results: the first card is the 3018 (the same answers as the test without JavaScript).
    expect(page.locator("ol.cards > li").first.get_by_role("link").first).to_have_attribute(
        "href", "/organismes/3018"
    )
    assert "À faire tout de suite" not in page.content()

    # The vault, from the journey's steps; a fresh one is created.
    tab_to(page, "2. Garder mes preuves", role="link")
    press_and_wait(page, "Enter", "Créer votre coffre de preuves")
    tab_to(page, "Choisissez une phrase secrète", role="textbox")
    page.keyboard.type(PASSPHRASE)
    tab_to(page, "Répétez-la", role="textbox", max_presses=1)
    page.keyboard.type(PASSPHRASE)
    tab_to(page, "Créer le coffre", role="button")
    press_and_wait(page, "Enter", "Notez votre clé de récupération maintenant")
    tab_to(page, "J’ai noté ma clé : aller au coffre", role="link")
    press_and_wait(page, "Enter", "Mes preuves")

    # A note, written in the vault's form.
    tab_to(page, "Écrire une note", role="textbox")
    page.keyboard.type("le 2 mars, trois messages de menace sur le groupe de la classe")
    tab_to(page, "Ajouter la note", role="button", max_presses=1)
    press_and_wait(page, "Enter", "Ajouté au coffre")
    tab_to(page, "Retour au coffre", role="link")
    press_and_wait(page, "Enter", "Mes preuves")

    # The journey's next steps: the analysis, then the dossier.
    tab_to(page, "3. Analyser les discussions", role="link")
    press_and_wait(page, "Enter", "Analyse des discussions")
    tab_to(page, "4. Préparer le dossier et les lettres", role="link")
    press_and_wait(page, "Enter", "Mon dossier")

    # The dossier: Enter on its button; the page refreshes itself until the dossier is ready.
    tab_to(page, "Préparer le dossier", role="button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Votre dossier est prêt")).to_be_visible(timeout=60_000)
    tab_to(page, "Télécharger le PDF (dossier.pdf)", role="link")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "dossier.pdf"
    tab_to(page, "Télécharger le lot vérifiable (recours-lot.zip)", role="link", max_presses=1)
    context.close()
