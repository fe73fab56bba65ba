"""Shared building blocks of the domain models: strict base model and bilingual text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")


class StrictModel(BaseModel):
    """Strict, frozen, no unknown keys: a typo in a data file is an error, not a default."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Text(StrictModel):
    """A user-facing text, French first, with its English translation."""

    fr: str
    en: str

    @field_validator("fr", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty text")
        return value.strip()

    def get(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.fr

    def format(self, **values: str) -> Text:
        """Fill ``{name}`` placeholders in both languages."""
        return Text(fr=self.fr.format(**values), en=self.en.format(**values))
