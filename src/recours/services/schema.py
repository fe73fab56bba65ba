"""JSON Schemas of the data files and of the orientation answers, for contributors' editors."""

from __future__ import annotations

from typing import Any

from recours.domain.directory import Resource
from recours.domain.orientation import RuleBook
from recours.domain.questionnaire import Questionnaire
from recours.domain.situation import Situation

SCHEMAS: dict[str, type[Resource] | type[RuleBook] | type[Questionnaire] | type[Situation]] = {
    "resource.schema.json": Resource,
    "orientation-rules.schema.json": RuleBook,
    "questionnaire.schema.json": Questionnaire,
    "situation.schema.json": Situation,
}


def json_schemas() -> dict[str, dict[str, Any]]:
    return {name: model.model_json_schema(mode="validation") for name, model in SCHEMAS.items()}
