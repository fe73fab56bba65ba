"""Shared building blocks of the domain models: strict base model and bilingual text."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

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

    def fill(self, values: Placeholders) -> Text:
        """Fill ``{name}`` placeholders, each language with its own formatting of the values."""
        return Text(fr=self.fr.format_map(values["fr"]), en=self.en.format_map(values["en"]))


# Per language, the values a text template may quote (dates are formatted per language).
Placeholders = dict[Lang, dict[str, str]]


def _https(value: str) -> str:
    if not value.startswith("https://"):
        raise ValueError(f"source URLs are https: {value!r}")
    return value


# A source's address: the data cites pages read over HTTPS only.
HttpsUrl = Annotated[str, AfterValidator(_https)]


def code_point_label(char: str) -> str:
    """How a character that cannot be shown as itself is shown: ⟨U+202E⟩."""
    return f"⟨U+{ord(char):04X}⟩"
