"""Shared fixtures: the packaged knowledge, fixed instants, a web client with a session."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from recours.adapters.knowledge import Knowledge, load_knowledge
from recours.adapters.vault_keys import KdfCost
from recours.adapters.vault_store import LocalVaults
from recours.settings import Settings
from recours.web.app import create_app

PARIS = ZoneInfo("Europe/Paris")
# A Saturday at noon, Paris time: the 3018 is open, the CNIL switchboard is closed.
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=PARIS)
TOKEN = "test-launch-token"
PORT = 8765

hypothesis_settings.register_profile("ci", max_examples=200, deadline=None)
hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


def make_app(lang: str = "fr", port: int = PORT, vault_path: Path | None = None, autolock_minutes: int = 10, neutral_tab: bool = False):  # type: ignore[no-untyped-def]
    """The app as `make run` builds it, with a fixed clock, a fast KDF and a vault in a temp folder."""
    return create_app(
        settings=Settings(lang=None, fixed_time=None, autolock_minutes=autolock_minutes, neutral_tab=neutral_tab),
        launch_token=TOKEN,
        port=port,
        lang=lang,  # type: ignore[arg-type]
        clock=lambda: SATURDAY_NOON,
        vaults=LocalVaults(cost=KdfCost(memory_kib=8, iterations=1, lanes=1), sleep=lambda _: None),
        vault_path=vault_path or Path(tempfile.mkdtemp(prefix="recours-test-")) / "coffre",
    )


def host_client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, base_url=f"http://127.0.0.1:{PORT}")


@pytest.fixture
def anonymous() -> Iterator[TestClient]:
    """A browser that has not presented the launch token."""
    with host_client(make_app()) as client:
        yield client


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A browser that opened the launch link: it holds a session cookie."""
    with host_client(make_app()) as client:
        response = client.get(f"/?token={TOKEN}", follow_redirects=False)
        assert response.status_code == 303
        yield client


def csrf_of(client: TestClient, path: str = "/orientation") -> str:
    html = client.get(path).text
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
