"""The situation a person describes: the input of orientation.

The web questionnaire and the interactive CLI produce this same object; ``recours orient
--answers FILE`` reads it from JSON. Every field but ``role`` and ``situations`` is
optional: missing means "unknown", never "no".
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import Field, field_validator

from recours.domain.common import StrictModel
from recours.domain.directory import Role

SituationKind = Literal[
    "cyberharassment",
    "school_harassment",
    "intimate_images",
    "sextortion",
    "identity_theft",
    "sexist_sexual_violence",
    "violent_content",
    "personal_data",
    "hacked_account",
    "insult_defamation",
    "threats",
    "doxxing",
    "hate_speech",
    "digital_practices",
    "domestic_violence",
    "child_in_danger",
]
SITUATION_KINDS: tuple[SituationKind, ...] = get_args(SituationKind)
Visibility = Literal["public", "private", "both", "unknown"]
VISIBILITIES: tuple[Visibility, ...] = get_args(Visibility)
Goal = Literal["talk", "remove_content", "file_complaint", "protect_data", "legal_advice", "technical_help"]
GOALS: tuple[Goal, ...] = get_args(Goal)
Flag = Literal[
    "immediate_danger",
    "suicidal_thoughts",
    "cannot_speak",
    "author_known",
    "school_related",
    "money_demanded",
]
FLAGS: tuple[Flag, ...] = get_args(Flag)

# The age of majority in France (Code civil, art. 414).
MAJORITY = 18


class Situation(StrictModel):
    immediate_danger: bool | None = None
    suicidal_thoughts: bool | None = None
    cannot_speak: bool | None = None
    # The age of the person harmed, not of the person answering.
    age: int | None = Field(default=None, ge=0, le=120)
    role: Role
    situations: list[SituationKind] = Field(min_length=1)
    visibility: Visibility | None = None
    author_known: bool | None = None
    school_related: bool | None = None
    money_demanded: bool | None = None
    goals: list[Goal] = []
    # Not strict: JSON and forms give dates as ISO 8601 text.
    first_seen: date | None = Field(default=None, strict=False)

    @field_validator("situations", "goals")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))

    def flag(self, name: Flag) -> bool | None:
        value: bool | None = getattr(self, name)
        return value

    @property
    def is_minor(self) -> bool | None:
        return None if self.age is None else self.age < MAJORITY
