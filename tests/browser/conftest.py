"""A live Recours server on loopback, and Debian's chromium driven by Playwright.

No browser is downloaded: Playwright launches ``/usr/bin/chromium`` (research/libs.md §16).
The flags keep chromium off the network, which this machine does not have anyway.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from recours.adapters.capture import CHROMIUM, FLAGS
from tests.conftest import TOKEN, make_app

EXIT_SITE = "https://meteofrance.com/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    port = _free_port()
    app = make_app(port=port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def _neutral_site(route: Route) -> None:
    route.fulfill(
        status=200, content_type="text/html", body="<html lang=fr><title>Météo</title><p>Météo</p></html>"
    )


def open_context(browser: Browser, server_url: str, *, javascript: bool = True) -> BrowserContext:
    context = browser.new_context(
        java_script_enabled=javascript, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    context.route(EXIT_SITE + "**", _neutral_site)
    return context


def base_url(page: Page) -> str:
    """``http://127.0.0.1:<port>`` of the page, whatever its path."""
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    context = open_context(browser, server_url)
    page = context.new_page()
    page.goto(f"{server_url}/?token={TOKEN}")
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser: Browser, server_url: str) -> Iterator[Page]:
    context = open_context(browser, server_url, javascript=False)
    page = context.new_page()
    page.goto(f"{server_url}/?token={TOKEN}")
    yield page
    context.close()


def erase_leftover_vault(page: Page) -> None:
    """Erase the vault another test of this server may have left (one vault per server)."""
    base = base_url(page)
    page.goto(base + "/coffre")
    if page.get_by_label("Phrase secrète ou clé de récupération").count():
        page.goto(base + "/coffre/effacer")
        page.get_by_label("Tapez EFFACER pour confirmer").fill("EFFACER")
        page.get_by_role("button", name="Effacer tout le coffre maintenant").click()


def fresh_vault(page: Page, passphrase: str = "une phrase assez longue") -> None:
    """Create a vault in the browser (erasing one another test of this server left) and open it."""
    erase_leftover_vault(page)
    page.goto(base_url(page) + "/coffre")
    page.get_by_label("Choisissez une phrase secrète").fill(passphrase)
    page.get_by_label("Répétez-la").fill(passphrase)
    page.get_by_role("button", name="Créer le coffre").click()
    page.get_by_role("link", name="J’ai noté ma clé : aller au coffre").click()
