"""The vault in the web app: the same services as the CLI, through forms that work without JS."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from recours.adapters import signal_pack
from tests.conftest import TOKEN, csrf_of, host_client, make_app

PASSPHRASE = "une phrase secrète pour le web"


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (800, 600), "green").save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "coffre"


@pytest.fixture
def browser(vault_dir: Path):  # type: ignore[no-untyped-def]
    with host_client(make_app(vault_path=vault_dir)) as client:
        client.get(f"/?token={TOKEN}")
        yield client


def create(client: TestClient, minor: bool = False) -> str:
    token = csrf_of(client, "/coffre")
    data = {"csrf_token": token, "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE}
    if minor:
        data["minor"] = "yes"
    response = client.post("/coffre/creer", data=data)
    assert response.status_code == 200
    match = re.search(r'class="recovery-key">([A-Z2-7-]+)<', response.text)
    assert match is not None
    return match.group(1)


@contextmanager
def session_with_chat(vault_path: Path, export: str, me: str = "Léa") -> Iterator[tuple[TestClient, str]]:
    """A browser session on a new, unlocked vault where ``export`` (a WhatsApp .txt) was imported:
    the client and the session's form token."""
    with host_client(make_app(vault_path=vault_path)) as client:
        client.get(f"/?token={TOKEN}")
        create(client)
        csrf = csrf_of(client, "/coffre")
        imported = client.post(
            "/coffre/importer",
            data={"csrf_token": csrf, "me": me},
            files=[("export", ("groupe.txt", export.encode(), "text/plain"))],
        )
        assert imported.status_code == 200
        yield client, csrf


def upload(client: TestClient, files: list[tuple[str, bytes]], **fields: str) -> object:
    token = csrf_of(client, "/coffre")
    return client.post(
        "/coffre/ajouter",
        data={"csrf_token": token, **fields},
        files=[("files", (name, content, "application/octet-stream")) for name, content in files],
    )


def item_ids(client: TestClient) -> list[str]:
    return re.findall(r'href="/coffre/element/([a-z0-9]+)"', client.get("/coffre").text)


def test_create_shows_the_recovery_key_once_then_the_vault(browser: TestClient, vault_dir: Path) -> None:
    assert "Créer votre coffre" in browser.get("/coffre").text
    recovery = create(browser)
    assert len(recovery.replace("-", "")) == 52
    assert recovery not in browser.get("/coffre").text
    assert (vault_dir / "vault.toml").exists()
    mismatch = browser.post(
        "/coffre/creer",
        data={"csrf_token": csrf_of(browser, "/"), "passphrase": "a" * 9, "passphrase_again": "b" * 9},
    )
    assert mismatch.status_code == 422


def test_upload_streams_into_the_vault_and_nothing_readable_is_written(
    browser: TestClient, vault_dir: Path
) -> None:
    create(browser)
    canary = b"CANARY-web-upload-Kevin-0612"
    big = canary * 100_000  # ~3 MB: Starlette would have spooled it to a plaintext temp file
    response = upload(
        browser, [("preuve.png", PNG), ("gros.bin", big)], tags="instagram, @kev", note="vue à 22 h"
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "SHA-256" in response.text  # type: ignore[attr-defined]
    ids = item_ids(browser)
    assert len(ids) == 2
    forms = [canary, canary.decode().encode("utf-16-le"), base64.b64encode(canary)[:20]]
    for path in vault_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(form in data for form in forms), path
    page = browser.get(f"/coffre/element/{ids[0]}").text
    assert "vue à 22 h" in page


def test_item_page_image_preview_and_download(browser: TestClient) -> None:
    create(browser)
    upload(browser, [("capture.png", PNG)])
    item = item_ids(browser)[0]
    html = browser.get(f"/coffre/element/{item}").text
    thumbnail = re.search(r'src="/coffre/element/([a-z0-9]+)/apercu"', html)
    assert thumbnail is not None and thumbnail.group(1) != item
    assert f'src="/coffre/element/{thumbnail.group(1)}/apercu"' in browser.get("/coffre").text
    small = browser.get(f"/coffre/element/{thumbnail.group(1)}/apercu")
    assert small.headers["content-type"] == "image/png" and len(small.content) < len(PNG)
    preview = browser.get(f"/coffre/element/{item}/apercu")
    assert preview.headers["content-type"] == "image/png" and preview.content == PNG
    download = browser.get(f"/coffre/element/{item}/fichier")
    assert download.content == PNG
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")


def test_evidence_is_never_rendered_as_html(browser: TestClient) -> None:
    create(browser)
    hostile = b"<script>alert('x')</script><img src=x onerror=alert(1)>"
    upload(browser, [("<b>nom</b>.html", hostile), ("image.svg", b"<svg onload=alert(1)></svg>")])
    svg, html_item = None, None
    for item in item_ids(browser):
        page = browser.get(f"/coffre/element/{item}").text
        assert "<script>alert" not in page and "<b>nom</b>" not in page
        if "image.svg" in page:
            svg = item
        else:
            html_item = item
            assert "&lt;script&gt;" in page
    assert browser.get(f"/coffre/element/{svg}/apercu").status_code == 404
    assert (
        browser.get(f"/coffre/element/{html_item}/fichier").headers["content-type"]
        == "application/octet-stream"
    )


def test_notes_urls_tags_delete_and_the_journal(browser: TestClient) -> None:
    create(browser)
    token = csrf_of(browser, "/coffre")
    assert (
        browser.post("/coffre/note", data={"csrf_token": token, "note": "Il a recommencé"}).status_code == 200
    )
    assert (
        browser.post(
            "/coffre/adresse", data={"csrf_token": token, "url": "https://x.com/kev/status/1"}
        ).status_code
        == 200
    )
    assert (
        browser.post("/coffre/adresse", data={"csrf_token": token, "url": "javascript:alert(1)"}).status_code
        == 422
    )
    ids = item_ids(browser)
    note = next(i for i in ids if "Note du" in browser.get(f"/coffre/element/{i}").text)
    url = next(i for i in ids if i != note)
    browser.post(f"/coffre/element/{note}/etiquettes", data={"csrf_token": token, "tags": "snapchat, menace"})
    assert "menace, snapchat" in browser.get(f"/coffre/element/{note}").text
    filtered = browser.post("/coffre", data={"csrf_token": token, "q": "", "tag": "snapchat"}).text
    assert f"/coffre/element/{note}" in filtered and f"/coffre/element/{url}" not in filtered
    later = browser.post("/coffre", data={"csrf_token": token, "since": "2026-11-29", "until": ""}).text
    assert "/coffre/element/" not in later.split("Éléments du coffre")[1]
    same_day = browser.post(
        "/coffre", data={"csrf_token": token, "since": "2026-11-28", "until": "2026-11-28"}
    ).text
    assert f"/coffre/element/{url}" in same_day
    browser.post(
        "/coffre/journal",
        data={
            "csrf_token": token,
            "occurred_at": "2026-11-20T21:30",
            "description": "Insultes en commentaire",
            "platform": "Instagram",
            "author_handle": "@kev",
            "witnesses": "Léa\nMax",
            "items": note,
        },
    )
    journal = browser.get("/coffre/journal").text
    assert "Insultes en commentaire" in journal and "Léa, Max" in journal
    assert browser.post(f"/coffre/element/{url}/supprimer", data={"csrf_token": token}).status_code == 200
    assert url in item_ids(browser)  # no confirmation, nothing deleted
    browser.post(f"/coffre/element/{url}/supprimer", data={"csrf_token": token, "confirm": "yes"})
    assert url not in item_ids(browser)
    report = browser.post("/coffre/verification", data={"csrf_token": token}).text
    assert "Coffre intact" in report
    assert "entrées : " in browser.get("/coffre/recu").text


def test_minor_intimate_images_are_refused_before_anything_is_stored(
    browser: TestClient, vault_dir: Path
) -> None:
    create(browser, minor=True)
    response = upload(browser, [("photo.jpg", b"\xff\xd8\xff" + b"\x01" * 5000)], intimate="yes")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "3018" in response.text  # type: ignore[attr-defined]
    assert item_ids(browser) == []
    assert not any((vault_dir / "blobs").rglob("*.*")) and not list((vault_dir / "tmp").iterdir())


def test_uploads_need_the_form_token(browser: TestClient) -> None:
    create(browser)
    response = browser.post(
        "/coffre/ajouter", data={"csrf_token": "forged"}, files=[("files", ("a.txt", b"x"))]
    )
    assert response.status_code == 403
    assert item_ids(browser) == []


def test_lock_unlock_and_a_wrong_passphrase(browser: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    prepared: list[bool] = []
    monkeypatch.setattr(signal_pack, "prepare_matcher", lambda: prepared.append(True))
    recovery = create(browser)
    token = csrf_of(browser, "/coffre")
    browser.post("/coffre/verrouiller", data={"csrf_token": token})
    assert "Ouvrir votre coffre" in browser.get("/coffre").text
    wrong = browser.post("/coffre/ouvrir", data={"csrf_token": token, "passphrase": "pas la bonne"})
    assert wrong.status_code == 422 and "incorrecte" in wrong.text
    assert prepared == []
    browser.post("/coffre/ouvrir", data={"csrf_token": token, "passphrase": recovery})
    assert "Mes preuves" in browser.get("/coffre").text
    assert prepared == [True]  # the analysis pages' matcher is built while the vault is read


def test_the_matcher_is_built_once_in_the_background() -> None:
    signal_pack.load_signal_matcher.cache_clear()
    building = signal_pack.prepare_matcher()
    assert building is not None and building.daemon
    building.join()
    assert signal_pack.load_signal_matcher.cache_info().currsize == 1
    assert signal_pack.prepare_matcher() is None  # built: nothing more to do


def test_the_vault_locks_itself_after_inactivity_and_on_request(vault_dir: Path) -> None:
    app = make_app(vault_path=vault_dir, autolock_minutes=1)
    with host_client(app) as client:
        client.get(f"/?token={TOKEN}")
        create(client)
        assert "Éléments du coffre" in client.get("/coffre").text
        session = next(iter(app.state.sessions._sessions.values()))
        session.vault_used_at -= 61
        assert "Ouvrir votre coffre" in client.get("/coffre").text
        client.post(
            "/coffre/ouvrir", data={"csrf_token": csrf_of(client, "/coffre"), "passphrase": PASSPHRASE}
        )
        assert "Éléments du coffre" in client.get("/coffre").text
        time.sleep(0.01)
        app.state.vaults.request_lock(vault_dir)  # what `recours vault lock` does
        assert "Ouvrir votre coffre" in client.get("/coffre").text


def test_quick_exit_locks_the_vault(browser: TestClient) -> None:
    create(browser)
    cookie = browser.cookies.get("recours_session")
    browser.get("/sortie", follow_redirects=False)
    browser.cookies.set("recours_session", cookie or "")
    assert browser.get("/coffre").status_code == 403


def test_panic_erases_everything_after_typing_effacer(browser: TestClient, vault_dir: Path) -> None:
    create(browser)
    upload(browser, [("a.png", PNG)])
    token = csrf_of(browser, "/coffre/effacer")
    assert browser.post("/coffre/effacer", data={"csrf_token": token, "confirm": "non"}).status_code == 422
    assert (vault_dir / "vault.toml").exists()
    done = browser.post("/coffre/effacer", data={"csrf_token": token, "confirm": "effacer"})
    assert "a été effacé" in done.text
    assert not vault_dir.exists()
    assert "Créer votre coffre" in browser.get("/coffre").text


def test_a_whatsapp_export_is_imported_from_the_browser(browser: TestClient) -> None:
    create(browser)
    golden = Path(__file__).parent / "golden" / "whatsapp"
    token = csrf_of(browser, "/coffre")
    done = browser.post(
        "/coffre/importer",
        data={"csrf_token": token, "me": "Léa"},
        files=[("export", ("discussion.txt", (golden / "android-fr-24h.txt").read_bytes(), "text/plain"))],
    )
    assert done.status_code == 200 and "Discussion importée" in done.text and "nouvelles" in done.text
    again = browser.post(
        "/coffre/importer",
        data={"csrf_token": token},
        files=[("export", ("discussion.txt", (golden / "android-fr-24h.txt").read_bytes(), "text/plain"))],
    )
    assert "0 nouvelles" in again.text
    ambiguous = (golden / "ambiguous-dates.txt").read_bytes()
    refused = browser.post(
        "/coffre/importer", data={"csrf_token": token}, files=[("export", ("a.txt", ambiguous, "text/plain"))]
    )
    assert refused.status_code == 422 and "Ordre des dates" in refused.text
    ok = browser.post(
        "/coffre/importer",
        data={"csrf_token": token, "date_order": "dmy"},
        files=[("export", ("a.txt", ambiguous, "text/plain"))],
    )
    assert ok.status_code == 200
    not_chat = browser.post(
        "/coffre/importer", data={"csrf_token": token}, files=[("export", ("photo.png", PNG, "image/png"))]
    )
    assert not_chat.status_code == 422


def test_a_long_import_runs_in_the_background_and_its_page_shows_where_it_is(
    browser: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big zip takes a while: the import runs in the background, its page reloads itself
    (no JavaScript needed) and says which step it is at; nothing else long starts meanwhile."""
    import threading

    from recours.services import chat as chat_svc
    from recours.web.routes import vault as vault_routes

    release = threading.Event()
    real_import = chat_svc.import_bytes

    def slow_import(*args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["on_step"]("check_media")
        assert release.wait(10)
        return real_import(*args, **kwargs)

    monkeypatch.setattr(chat_svc, "import_bytes", slow_import)
    monkeypatch.setattr(vault_routes, "_WAIT_FOR_JOB", 0.05)
    create(browser)
    token = csrf_of(browser, "/coffre")
    export = (Path(__file__).parent / "golden" / "whatsapp" / "android-fr-24h.txt").read_bytes()
    files = [("export", ("discussion.txt", export, "text/plain"))]
    running = browser.post("/coffre/importer", data={"csrf_token": token}, files=files)
    assert running.status_code == 200 and running.url.path == "/coffre/importer"
    assert 'hx-get="/coffre/travail"' in running.text and 'http-equiv="refresh"' not in running.text
    assert "Vérification des médias de l’archive" in running.text and 'role="status"' in running.text
    busy = browser.post("/coffre/importer", data={"csrf_token": token}, files=files)
    assert busy.status_code == 409 and "Attendez qu’il soit terminé" in busy.text
    dossier = browser.post("/coffre/dossier", data={"csrf_token": token})
    assert dossier.status_code == 409 and "Un import est en cours" in dossier.text
    assert browser.get("/coffre/dossier").status_code == 200  # an import job is not a dossier
    step = browser.get("/coffre/travail", headers={"HX-Request": "true"})
    assert step.text.strip() == "Vérification des médias de l’archive…" and "HX-Refresh" not in step.headers
    release.set()
    deadline = time.monotonic() + 10
    done = browser.get("/coffre/importer")
    while "Import en cours" in done.text and time.monotonic() < deadline:
        time.sleep(0.05)
        done = browser.get("/coffre/importer")
    assert done.status_code == 200 and "Discussion importée" in done.text and "nouvelles" in done.text
    assert 'http-equiv="refresh"' not in done.text
    assert browser.get("/coffre/travail", headers={"HX-Request": "true"}).headers["HX-Refresh"] == "true"
    assert browser.get("/coffre/travail", follow_redirects=False).headers["location"] == "/coffre/importer"
    assert browser.get("/coffre/dossier").status_code == 200


def test_the_import_page_without_an_import_goes_back_to_the_vault(browser: TestClient) -> None:
    create(browser)
    assert browser.get("/coffre/importer", follow_redirects=False).headers["location"] == "/coffre"


def test_a_large_vault_is_listed_a_page_at_a_time(browser: TestClient) -> None:
    from recours.web.routes.vault import PAGE_SIZE

    create(browser)
    upload(browser, [(f"capture-{n:03d}.txt", f"contenu {n}".encode()) for n in range(PAGE_SIZE + 5)])
    first = browser.get("/coffre").text
    assert f"{PAGE_SIZE + 5} élément(s) — page 1 sur 2" in first
    assert len(item_ids(browser)) == PAGE_SIZE and 'href="/coffre?page=2"' in first
    second = browser.get("/coffre?page=2").text
    assert "page 2 sur 2" in second and 'href="/coffre?page=1"' in second
    on_first = set(re.findall(r'href="/coffre/element/([a-z0-9]+)"', first))
    on_second = set(re.findall(r'href="/coffre/element/([a-z0-9]+)"', second))
    assert len(on_second) == 5 and not on_first & on_second  # every item once
    assert "page 1 sur 2" in browser.get("/coffre?page=abc").text  # a bad number: the first page
    token = csrf_of(browser, "/coffre")
    filtered = browser.post("/coffre", data={"csrf_token": token, "q": "capture", "page": "2"}).text
    assert "page 2 sur 2" in filtered and 'name="page" value="1"' in filtered  # filters stay POSTed
