"""Settings, declared once, parsed strictly, documented in docs/settings.md (a test checks).

Every setting can be given as an environment variable ``RECOURS_<NAME>``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RECOURS_", extra="forbid", frozen=True)

    lang: Literal["fr", "en"] | None = Field(
        default=None, description="Interface language, fr or en (default: from LANG, else fr)."
    )
    port: int = Field(
        default=8000,
        ge=1024,
        le=65535,
        description="First port tried by the local web app; the next free one is used if taken.",
    )
    open_browser: bool = Field(
        default=True, description="Open the web app in the browser at start, when there is one."
    )
    exit_url: str = Field(
        default="https://meteofrance.com/",
        pattern=r"^https://",
        description="Neutral site the quick exit leads to.",
    )
    fixed_time: datetime | None = Field(
        default=None,
        description="Pretend it is this time (ISO 8601, with offset) for opening hours; demos and tests.",
    )
    vault: Path | None = Field(
        default=None, description="Folder of the evidence vault (default: the user data folder)."
    )
    passphrase: SecretStr | None = Field(
        default=None,
        description="Vault passphrase for non-interactive use (prefer --passphrase-file).",
    )

    autolock_minutes: int = Field(
        default=10,
        ge=1,
        le=24 * 60,
        description="Lock the vault in the web app after this many idle minutes.",
    )
    neutral_tab: bool = Field(
        default=False,
        description="Show a neutral browser tab title ('Notes') instead of the page's and Recours's.",
    )
    bundle_passphrase: SecretStr | None = Field(
        default=None,
        description="Passphrase that `recours dossier --encrypt-passphrase` encrypts the bundle with.",
    )

    def vault_path(self) -> Path:
        return self.vault or user_data_path("recours", appauthor=False) / "coffre"
