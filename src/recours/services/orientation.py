"""Orientation use case: answers in, ranked and explained places to turn out."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from recours.domain.common import Lang
from recours.domain.directory import Directory
from recours.domain.orientation import Orientation, RuleBook, orient
from recours.domain.situation import Situation
from recours.errors import InvalidAnswers
from recours.services.directory import channel_json, state_json


def run(situation: Situation, rules: RuleBook, directory: Directory, now: datetime) -> Orientation:
    return orient(situation, rules, directory, now)


def situation_from_json(text: str | bytes) -> Situation:
    """Parse the answers file; every problem is explained field by field, in French and English."""
    try:
        json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidAnswers(
            "Le fichier de réponses n’est pas du JSON valable.",
            "The answers file is not valid JSON.",
            details=[str(exc)],
        ) from exc
    try:
        return Situation.model_validate_json(text)
    except ValidationError as exc:
        raise InvalidAnswers(
            "Le fichier de réponses est incomplet ou contient des valeurs inconnues.",
            "The answers file is incomplete or has unknown values.",
            details=[_explain(e) for e in exc.errors()],
        ) from exc


def _explain(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(racine)"
    return f"{where} : {error['msg']}"


def orientation_json(result: Orientation, lang: Lang) -> dict[str, Any]:
    return {
        "urgent": [
            {
                "id": u.resource.id,
                "name": u.resource.short_name.get(lang),
                "why": u.why.get(lang),
                "channel": channel_json(u.channel, None, lang),
            }
            for u in result.urgent
        ],
        "recommendations": [
            {
                "id": r.resource.id,
                "name": r.resource.name.get(lang),
                "rank": r.rank,
                "why": " ".join(w.get(lang) for w in r.why),
                "what_to_do": r.what_to_do.get(lang),
                "channels": [channel_json(c.channel, c.state, lang) for c in r.channels],
                **state_json(r.state),
                "hours": r.resource.hours.summary.get(lang) if r.resource.hours else None,
            }
            for r in result.recommendations
        ],
        "warnings": [{"code": w.code, "text": w.text.get(lang)} for w in result.warnings],
        "next_steps": [t.get(lang) for t in result.next_steps],
        "not_for_this_situation": [{"id": e.resource.id, "why": e.reason.get(lang)} for e in result.excluded],
    }
