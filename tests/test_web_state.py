"""Every unsafe route of the app's table refuses a request without the session's token and a
cross-site one; no GET changes what the vault holds. A new route is covered by being added."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from recours.adapters import vault_keys
from tests.conftest import TOKEN, csrf_of, host_client, make_app
from tests.test_analysis_cli_web import EXPORT
from tests.test_web import ROUTES
from tests.test_web_vault import PASSPHRASE, create
from tests.vault_helpers import FAST

UNSAFE = sorted({(m, p) for m, p in ROUTES if m in ("POST", "PUT", "PATCH", "DELETE")})
SAFE = sorted({p for m, p in ROUTES if m == "GET"})
# The JSON API takes the launch token as a bearer token, not a session: no form to forge.
API = ("/api/",)
# Streamed uploads read a multipart body: the token is checked in its first field.
UPLOADS = {"/coffre/ajouter": "files", "/coffre/importer": "export"}


def body(path: str, fields: dict[str, str]) -> dict[str, object]:
    if path in UPLOADS:
        return {"data": fields, "files": [(UPLOADS[path], ("a.txt", b"contenu", "text/plain"))]}
    return {"data": fields}


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault_keys, "STRONG", FAST)


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[TestClient]:
    """A session with an unlocked vault holding a file, a note, a chat and a contact."""
    with host_client(make_app(vault_path=tmp_path / "coffre")) as client:
        client.get(f"/?token={TOKEN}")
        create(client)
        csrf = csrf_of(client, "/coffre")
        client.post("/coffre/note", data={"csrf_token": csrf, "note": "une note"})
        client.post(
            "/coffre/importer",
            data={"csrf_token": csrf, "me": "Léa"},
            files=[("export", ("groupe.txt", EXPORT.encode(), "text/plain"))],
        )
        client.post("/coffre/dossier/contact", data={"csrf_token": csrf, "organisation": "3018", "on": "2026-03-04"})
        yield client


def test_the_route_table_has_unsafe_routes_to_check() -> None:
    assert ("POST", "/coffre/dossier") in UNSAFE and ("POST", "/coffre/ajouter") in UNSAFE
    assert len(UNSAFE) >= 20


@pytest.mark.parametrize(("method", "path"), [r for r in UNSAFE if not r[1].startswith(API)])
def test_every_unsafe_route_refuses_a_missing_token(filled: TestClient, method: str, path: str) -> None:
    response = filled.request(method, path, **body(path, {"x": "1"}), follow_redirects=False)  # type: ignore[arg-type]
    assert response.status_code == 403, (method, path, response.status_code)


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_every_unsafe_route_refuses_a_cross_site_request(filled: TestClient, method: str, path: str) -> None:
    token = csrf_of(filled, "/coffre")
    response = filled.request(
        method,
        path,
        **body(path, {"csrf_token": token}),  # type: ignore[arg-type]
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )
    assert response.status_code == 403, (method, path, response.status_code)


def vault_state(folder: Path) -> str:
    """Every file of the vault folder, by name and content (the database, blobs, keys)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(("-shm", "-wal"))):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_no_get_changes_what_the_vault_holds(filled: TestClient, tmp_path: Path) -> None:
    folder = tmp_path / "coffre"
    custody_before = filled.get("/coffre/recu").text
    for path in SAFE:
        if path in ("/sortie",):  # the quick exit ends the session (it changes no data)
            continue
        filled.get(path, follow_redirects=False)
    filled.post("/coffre/verrouiller", data={"csrf_token": csrf_of(filled, "/coffre")})
    before = vault_state(folder)
    # Unlocked again, then every GET once more, then locked: the files must be the same.
    with host_client(make_app(vault_path=folder)) as again:
        again.get(f"/?token={TOKEN}")
        csrf = csrf_of(again, "/coffre")
        opened = again.post("/coffre/ouvrir", data={"csrf_token": csrf, "passphrase": PASSPHRASE})
        assert "Mes preuves" in opened.text
        for path in SAFE:
            if path != "/sortie":
                again.get(path, follow_redirects=False)
        assert again.get("/coffre/recu").text.count("entrées") == custody_before.count("entrées")
        again.post("/coffre/verrouiller", data={"csrf_token": csrf_of(again, "/coffre")})
    assert vault_state(folder) == before
