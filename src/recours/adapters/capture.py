"""Capture a live web page as evidence with Debian's chromium (Playwright): a full-page PNG,
an MHTML archive of the page and a HAR record of the network exchanges.

Nothing readable may land on the disk: the screenshot and the MHTML come back as bytes; the HAR
file, which Playwright can only write to a path, is written to a memory-backed folder
(``/dev/shm``) when there is one and deleted at once. The browser profile is a fresh temporary
one, with no cookies: the page is seen as an anonymous visitor would see it.
"""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from recours.errors import RecoursError

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class PageCapture:
    requested_url: str
    final_url: str
    status: int | None
    png: bytes
    mhtml: bytes
    har: bytes


def capture_page(url: str, *, timeout_seconds: float = 45.0, executable: str = CHROMIUM) -> PageCapture:
    """Capture ``url``. Runs on a thread of its own: Playwright's sync API refuses to run where an
    event loop is already running (the web app, or another Playwright session)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="recours-capture") as worker:
        return worker.submit(_capture, url, timeout_seconds, executable).result()


def _capture(url: str, timeout_seconds: float, executable: str) -> PageCapture:
    if not Path(executable).exists():
        raise RecoursError(
            "La capture de page a besoin du navigateur Chromium. Installez-le (sudo apt install chromium), "
            "ou enregistrez l’adresse sans --capture.",
            "Page capture needs the Chromium browser. Install it (sudo apt install chromium), "
            "or record the address without --capture.",
        )
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    memory = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private 0700 folder inside it
    work = Path(tempfile.mkdtemp(prefix="recours-capture-", dir=memory if memory.is_dir() else None))
    har_path = work / "page.har"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
            try:
                context = browser.new_context(
                    record_har_path=str(har_path),
                    locale="fr-FR",
                    timezone_id="Europe/Paris",
                    service_workers="block",
                )
                page = context.new_page()
                response = page.goto(url, wait_until="networkidle", timeout=timeout_seconds * 1000)
                png = page.screenshot(full_page=True)
                session = context.new_cdp_session(page)
                mhtml = str(session.send("Page.captureSnapshot", {"format": "mhtml"})["data"]).encode("utf-8")
                final_url = page.url
                context.close()  # writes the HAR
            finally:
                browser.close()
        return PageCapture(
            url, final_url, response.status if response else None, png, mhtml, har_path.read_bytes()
        )
    except PlaywrightError as exc:
        raise RecoursError(
            f"La page n’a pas pu être capturée ({str(exc).splitlines()[0][:200]}). L’adresse peut être "
            "enregistrée sans --capture.",
            f"The page could not be captured ({str(exc).splitlines()[0][:200]}). The address can be "
            "recorded without --capture.",
        ) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
