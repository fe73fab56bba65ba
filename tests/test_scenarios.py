"""The public orientation scenarios (tests/scenarios/orientation.json, from the product owner).

Semantics, from the file's `_doc`: L is the ids of the output in order, urgent contacts
first, then recommendations by rank. `first_any`: L[0] is one of them; `include`: each in
L; `top`: each among the first N recommendations (N = top_n, default 3; urgent not
counted); `exclude`: none in L; `warnings`: each code among the warnings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recours.adapters.knowledge import Knowledge
from recours.domain.orientation import orient
from recours.domain.situation import Situation
from tests.conftest import SATURDAY_NOON

SCENARIOS = json.loads((Path(__file__).parent / "scenarios" / "orientation.json").read_text("utf-8"))


def check(expect: dict[str, Any], ordered: list[str], recommended: list[str], codes: list[str]) -> list[str]:
    """What fails in one scenario (empty when it passes)."""
    failures = []
    if "first_any" in expect and (not ordered or ordered[0] not in expect["first_any"]):
        failures.append(f"first is {ordered[:1]}, expected one of {expect['first_any']}")
    failures += [f"{i} missing" for i in expect.get("include", []) if i not in ordered]
    top = recommended[: expect.get("top_n", 3)]
    failures += [f"{i} not in top {top}" for i in expect.get("top", []) if i not in top]
    failures += [f"{i} present" for i in expect.get("exclude", []) if i in ordered]
    failures += [f"warning {c} missing" for c in expect.get("warnings", []) if c not in codes]
    return failures


@pytest.mark.parametrize("scenario", SCENARIOS["scenarios"], ids=lambda s: s["id"])
def test_public_scenario(knowledge: Knowledge, scenario: dict[str, Any]) -> None:
    situation = Situation.model_validate_json(json.dumps(scenario["answers"]))
    result = orient(situation, knowledge.rules, knowledge.directory, SATURDAY_NOON)
    failures = check(
        scenario["expect"],
        result.ordered_ids(),
        [r.resource.id for r in result.recommendations],
        [w.code for w in result.warnings],
    )
    assert failures == [], f"{scenario['id']} ({scenario['description']}): {failures}"


def test_the_checker_itself_catches_each_kind_of_failure() -> None:
    ordered, recs, codes = ["17", "3018", "pharos"], ["3018", "pharos"], ["do_not_pay"]
    assert check({"first_any": ["3018"]}, ordered, recs, codes)
    assert check({"include": ["cnil"]}, ordered, recs, codes)
    assert check({"top": ["pharos"], "top_n": 1}, ordered, recs, codes)
    assert check({"exclude": ["17"]}, ordered, recs, codes)
    assert check({"warnings": ["minor_intimate_images"]}, ordered, recs, codes)
    assert not check({"first_any": ["17"], "include": ["pharos"], "top": ["pharos"]}, ordered, recs, codes)
