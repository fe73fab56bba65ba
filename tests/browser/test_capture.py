"""``recours url --capture``: a live page captured by Debian's chromium into the vault."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from recours.adapters.capture import capture_page
from recours.errors import RecoursError
from recours.services import vault as svc
from tests.vault_helpers import new_vault, tick

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="fr"><head><title>Profil</title></head>
<body><h1>@auteur</h1><p>Message public : tu vas le regretter</p><img src="/pixel.png" alt=""></body></html>"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "profil.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "pixel.png").write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_page_is_captured_as_png_mhtml_and_har(site: str, tmp_path: Path) -> None:
    vault, _ = new_vault(tmp_path / "coffre")
    added = svc.add_capture(vault, f"{site}/profil.html", tick(1), capture_page, tags=["instagram"])
    address, png, mhtml, har = added
    assert address.record.kind == "url"
    assert png.record.mime == "image/png"
    for item in (png, mhtml, har):
        view = svc.get_item(vault, item.record.id)
        assert view.metadata["address_item"] == address.record.id
        assert view.metadata["http_status"] == 200
        assert view.item.tags == ["instagram"]
    text = svc.read_text_preview(vault, svc.get_item(vault, mhtml.record.id))
    assert text is not None and "tu vas le regretter" in text
    har_view = svc.get_item(vault, har.record.id)
    content = svc.read_text_preview(vault, har_view, limit=10_000_000)
    assert content is not None
    urls = [entry["request"]["url"] for entry in json.loads(content)["log"]["entries"]]
    assert f"{site}/pixel.png" in urls
    assert svc.verify(vault, read_data=True).clean
    assert not list(Path("/dev/shm").glob("recours-capture-*"))  # noqa: S108 - checking it is left empty
    vault.close()


def test_an_unreachable_page_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RecoursError) as caught:
        capture_page("http://127.0.0.1:9/rien", timeout_seconds=5)
    assert "n’a pas pu être capturée" in caught.value.fr
