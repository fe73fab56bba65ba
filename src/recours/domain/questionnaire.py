"""The orientation questionnaire: questions as data, and the conversion of answers.

The web pages (one short step per page) and ``recours orient`` in a terminal ask the same
questions from ``data/questionnaire.toml`` and turn the answers into the same
:class:`Situation` through :func:`situation_from_answers`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from pydantic import ValidationError, model_validator

from recours.domain.common import Lang, StrictModel, Text
from recours.domain.situation import Situation
from recours.errors import InvalidAnswers

QuestionKind = Literal["choice", "multi", "yes_no", "age", "date"]
# A raw answer as a form or a prompt gives it: field name → values chosen or typed.
RawAnswers = Mapping[str, Sequence[str]]

YES, NO, UNKNOWN = "yes", "no", "unknown"


class Option(StrictModel):
    value: str
    label: Text
    hint: Text | None = None


class Question(StrictModel):
    field: str
    kind: QuestionKind
    label: Text
    hint: Text | None = None
    options: list[Option] = []
    required: bool = False

    @model_validator(mode="after")
    def _options_fit(self) -> Question:
        if self.field not in Situation.model_fields:
            raise ValueError(f"{self.field!r} is not an answer field")
        if (self.kind in ("choice", "multi")) != bool(self.options):
            raise ValueError(f"{self.field}: options go with choice and multi questions")
        return self


class Step(StrictModel):
    id: str
    title: Text
    intro: Text | None = None
    questions: list[Question]


class Questionnaire(StrictModel):
    steps: list[Step]
    yes: Text
    no: Text
    unknown: Text

    @model_validator(mode="after")
    def _every_field_once(self) -> Questionnaire:
        fields = [q.field for step in self.steps for q in step.questions]
        if sorted(fields) != sorted(Situation.model_fields):
            raise ValueError("the questionnaire must ask each answer field exactly once")
        return self

    def step_index(self, step_id: str) -> int:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        raise KeyError(step_id)

    def questions(self) -> list[Question]:
        return [q for step in self.steps for q in step.questions]

    def yes_no_options(self) -> list[Option]:
        return [
            Option(value=YES, label=self.yes),
            Option(value=NO, label=self.no),
            Option(value=UNKNOWN, label=self.unknown),
        ]


def step_problems(step: Step, answers: RawAnswers, lang: Lang) -> dict[str, str]:
    """Field → message for each answer of ``step`` that cannot be used (empty when fine)."""
    problems = {}
    for question in step.questions:
        try:
            _convert(question, answers.get(question.field, ()))
        except ValueError as exc:
            problems[question.field] = str(exc.args[0].get(lang))
    return problems


def situation_from_answers(questionnaire: Questionnaire, answers: RawAnswers) -> Situation:
    """Build the :class:`Situation` from raw answers, or explain what is missing."""
    fields: dict[str, object] = {}
    errors = []
    for question in questionnaire.questions():
        try:
            value = _convert(question, answers.get(question.field, ()))
        except ValueError as exc:
            errors.append(f"{question.label.fr} — {exc.args[0].fr}")
            continue
        if value is not None:
            fields[question.field] = value
    if errors:
        raise InvalidAnswers(
            "Certaines réponses manquent ou ne sont pas valables.",
            "Some answers are missing or not valid.",
            details=errors,
        )
    try:
        return Situation.model_validate(fields)
    except ValidationError as exc:
        raise InvalidAnswers(
            "Les réponses ne sont pas valables.",
            "The answers are not valid.",
            details=[e["msg"] for e in exc.errors()],
        ) from exc


_REQUIRED = Text(fr="Merci de choisir une réponse.", en="Please choose an answer.")
_NOT_AN_OPTION = Text(fr="Cette réponse n’est pas proposée.", en="This answer is not offered.")
_NOT_AN_AGE = Text(
    fr="Indiquez un âge en années, entre 0 et 120, ou laissez vide.",
    en="Give an age in years, from 0 to 120, or leave it empty.",
)
_NOT_A_DATE = Text(
    fr="Indiquez une date au format AAAA-MM-JJ (par exemple 2026-09-01), ou laissez vide.",
    en="Give a date as YYYY-MM-DD (for example 2026-09-01), or leave it empty.",
)


def _convert(question: Question, raw: Sequence[str]) -> object:
    """One answer, typed; raises ``ValueError(Text)`` with the message for the user."""
    values = [v.strip() for v in raw if v.strip()]
    if question.kind == "multi":
        allowed = {o.value for o in question.options}
        if any(v not in allowed for v in values):
            raise ValueError(_NOT_AN_OPTION)
        if question.required and not values:
            raise ValueError(_REQUIRED)
        return list(dict.fromkeys(values))
    if not values:
        if question.required:
            raise ValueError(_REQUIRED)
        return None
    value = values[-1]
    if question.kind == "choice":
        if value not in {o.value for o in question.options}:
            raise ValueError(_NOT_AN_OPTION)
        return value
    if question.kind == "yes_no":
        if value not in (YES, NO, UNKNOWN):
            raise ValueError(_NOT_AN_OPTION)
        return {YES: True, NO: False, UNKNOWN: None}[value]
    if question.kind == "age":
        if not value.isdigit() or not 0 <= int(value) <= 120:
            raise ValueError(_NOT_AN_AGE)
        return int(value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_NOT_A_DATE) from None


def answers_from_situation(situation: Situation) -> dict[str, list[str]]:
    """The raw answers that rebuild ``situation`` (to prefill a form or a prompt)."""
    raw: dict[str, list[str]] = {}
    for name, value in situation.model_dump().items():
        if value is None:
            continue
        if isinstance(value, bool):
            raw[name] = [YES if value else NO]
        elif isinstance(value, list):
            raw[name] = [str(v) for v in value]
        elif isinstance(value, date):
            raw[name] = [value.isoformat()]
        else:
            raw[name] = [str(value)]
    return raw
