"""Every orientation rule of data/orientation.toml fires where it should (one case each),
and the engine's guarantees hold whatever the data says."""

from __future__ import annotations

import json
from typing import Any

import pytest

from recours.adapters.knowledge import Knowledge
from recours.domain.orientation import Orientation, orient
from recours.domain.situation import Situation
from tests.conftest import SATURDAY_NOON

ADULT = {"age": 30, "role": "victim"}

# rule id → answers that must make it fire.
URGENT_CASES: dict[str, dict[str, Any]] = {
    "danger-cannot-speak-114": {
        **ADULT,
        "situations": ["threats"],
        "immediate_danger": True,
        "cannot_speak": True,
    },
    "danger-suicidal-112": {
        **ADULT,
        "situations": ["threats"],
        "immediate_danger": True,
        "suicidal_thoughts": True,
    },
    "danger-suicidal-15": {
        **ADULT,
        "situations": ["threats"],
        "immediate_danger": True,
        "suicidal_thoughts": True,
    },
    "danger-17": {**ADULT, "situations": ["threats"], "immediate_danger": True},
    "danger-112": {**ADULT, "situations": ["threats"], "immediate_danger": True},
    "suicidal-3114": {**ADULT, "situations": ["cyberharassment"], "suicidal_thoughts": True},
    "child-in-danger-119": {"age": 9, "role": "witness", "situations": ["child_in_danger"]},
}
RECOMMEND_CASES: dict[str, dict[str, Any]] = {
    "119-child-in-danger": {"age": 9, "role": "parent", "situations": ["child_in_danger"]},
    "3018-young-harassment": {"age": 15, "role": "victim", "situations": ["cyberharassment"]},
    "3018-school": {"role": "parent", "situations": ["insult_defamation"], "school_related": True},
    "3018-digital-practices": {"age": 12, "role": "parent", "situations": ["digital_practices"]},
    "3919-domestic": {**ADULT, "situations": ["domestic_violence"]},
    "thesee-sextortion-money": {**ADULT, "situations": ["sextortion"], "money_demanded": True},
    "stopncii-adult-images": {**ADULT, "situations": ["intimate_images"]},
    "cybermalveillance-technical": {**ADULT, "situations": ["hacked_account"]},
    "cybermalveillance-goal": {**ADULT, "situations": ["threats"], "goals": ["technical_help"]},
    "pharos-public-witness": {
        "age": 40,
        "role": "witness",
        "situations": ["hate_speech"],
        "visibility": "public",
    },
    "pharos-public-victim": {**ADULT, "situations": ["threats"], "visibility": "both"},
    "platform-public-content": {**ADULT, "situations": ["identity_theft"], "visibility": "public"},
    "platform-remove-goal": {**ADULT, "situations": ["personal_data"], "goals": ["remove_content"]},
    "etablissement-school": {
        "age": 12,
        "role": "professional",
        "situations": ["school_harassment"],
    },
    "cnil-personal-data": {"age": 19, "role": "victim", "situations": ["personal_data"]},
    "plainte-victim-wants": {
        **ADULT,
        "situations": ["hacked_account"],
        "goals": ["file_complaint"],
    },
    "plainte-serious": {**ADULT, "situations": ["doxxing"]},
    "plainte-offence": {**ADULT, "situations": ["cyberharassment"]},
    "ma-securite-domestic-sexual": {**ADULT, "situations": ["sexist_sexual_violence"]},
    "ma-securite-private-known": {**ADULT, "situations": ["threats"], "visibility": "private"},
    "116006-adult-support": {**ADULT, "situations": ["insult_defamation"]},
    "avocat-defamation": {**ADULT, "situations": ["insult_defamation"]},
    "avocat-legal-goal": {**ADULT, "situations": ["hacked_account"], "goals": ["legal_advice"]},
    "point-de-contact-public": {**ADULT, "situations": ["hate_speech"], "visibility": "public"},
    "defenseur-school": {"age": 11, "role": "parent", "situations": ["school_harassment"]},
    "commissaire-public-evidence": {
        **ADULT,
        "situations": ["insult_defamation"],
        "visibility": "public",
        "goals": ["file_complaint"],
    },
}
EXCLUDE_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "pharos-not-private": ({**ADULT, "situations": ["threats"], "visibility": "private"}, "pharos"),
    "pharos-not-own-insult": (
        {**ADULT, "situations": ["insult_defamation"], "visibility": "public"},
        "pharos",
    ),
    "stopncii-adults-only": (
        {"age": 16, "role": "victim", "situations": ["intimate_images"]},
        "stopncii",
    ),
}
WARNING_CASES: list[tuple[str, dict[str, Any]]] = [
    ("minor_intimate_images", {"age": 15, "role": "victim", "situations": ["intimate_images"]}),
    ("do_not_pay", {**ADULT, "situations": ["threats"], "money_demanded": True}),
    (
        "prescription_3_months",
        {**ADULT, "situations": ["insult_defamation"], "first_seen": "2026-09-01"},
    ),
    ("prescription_3_months", {**ADULT, "situations": ["insult_defamation"]}),
    ("pharos_not_a_complaint", {**ADULT, "situations": ["threats"], "visibility": "public"}),
    ("online_complaint_not_for_harassment", {**ADULT, "situations": ["cyberharassment"]}),
    ("3020_closed", {"age": 13, "role": "victim", "situations": ["school_harassment"]}),
    ("act_fast_identification", {**ADULT, "situations": ["threats"], "author_known": False}),
    ("fake_stopncii", {**ADULT, "situations": ["intimate_images"]}),
]
NEXT_STEP_CASES: dict[str, dict[str, Any]] = {
    "keep-evidence": {**ADULT, "situations": ["threats"]},
    "do-not-reply": {**ADULT, "situations": ["hacked_account"]},
    "journal": {**ADULT, "situations": ["cyberharassment"]},
    "medical-certificate": {**ADULT, "situations": ["school_harassment"]},
    "tell-an-adult": {"age": 14, "role": "victim", "situations": ["hacked_account"]},
    "erasure-first": {**ADULT, "situations": ["personal_data"]},
}


def run(knowledge: Knowledge, answers: dict[str, Any]) -> Orientation:
    situation = Situation.model_validate_json(json.dumps(answers))
    return orient(situation, knowledge.rules, knowledge.directory, SATURDAY_NOON)


def test_every_rule_of_the_data_has_a_case_here(knowledge: Knowledge) -> None:
    rules = knowledge.rules
    assert {r.id for r in rules.urgent} == set(URGENT_CASES)
    assert {r.id for r in rules.recommend} == set(RECOMMEND_CASES)
    assert {r.id for r in rules.exclude} == set(EXCLUDE_CASES)
    assert {r.code for r in rules.warning} == {code for code, _ in WARNING_CASES}
    assert {r.id for r in rules.next_step} == set(NEXT_STEP_CASES)


@pytest.mark.parametrize("rule_id", sorted(URGENT_CASES))
def test_urgent_rule_fires(knowledge: Knowledge, rule_id: str) -> None:
    result = run(knowledge, URGENT_CASES[rule_id])
    assert rule_id in [u.rule_id for u in result.urgent]


@pytest.mark.parametrize("rule_id", sorted(RECOMMEND_CASES))
def test_recommendation_rule_fires(knowledge: Knowledge, rule_id: str) -> None:
    result = run(knowledge, RECOMMEND_CASES[rule_id])
    assert rule_id in [i for r in result.recommendations for i in r.rule_ids]


@pytest.mark.parametrize("rule_id", sorted(EXCLUDE_CASES))
def test_exclusion_rule_keeps_the_entry_out(knowledge: Knowledge, rule_id: str) -> None:
    answers, resource_id = EXCLUDE_CASES[rule_id]
    result = run(knowledge, answers)
    assert resource_id not in result.ordered_ids()
    assert resource_id in [e.resource.id for e in result.excluded]


@pytest.mark.parametrize(("code", "answers"), WARNING_CASES)
def test_warning_fires(knowledge: Knowledge, code: str, answers: dict[str, Any]) -> None:
    assert code in [w.code for w in run(knowledge, answers).warnings]


@pytest.mark.parametrize("step_id", sorted(NEXT_STEP_CASES))
def test_next_step_fires(knowledge: Knowledge, step_id: str) -> None:
    text = next(n.text for n in knowledge.rules.next_step if n.id == step_id)
    assert text in run(knowledge, NEXT_STEP_CASES[step_id]).next_steps


def test_no_urgent_contact_without_urgency(knowledge: Knowledge) -> None:
    result = run(
        knowledge,
        {**ADULT, "situations": ["threats"], "immediate_danger": False, "suicidal_thoughts": False},
    )
    assert result.urgent == []


def test_danger_comes_before_suicide_prevention_before_child_protection(
    knowledge: Knowledge,
) -> None:
    result = run(
        knowledge,
        {
            "age": 12,
            "role": "victim",
            "situations": ["child_in_danger"],
            "immediate_danger": True,
            "suicidal_thoughts": True,
        },
    )
    assert [u.resource.id for u in result.urgent] == ["112", "15", "3114", "119"]


def test_the_114_comes_first_and_alone_when_speaking_is_impossible(knowledge: Knowledge) -> None:
    result = run(
        knowledge,
        {**ADULT, "situations": ["threats"], "immediate_danger": True, "cannot_speak": True},
    )
    assert [u.resource.id for u in result.urgent] == ["114"]
    assert result.urgent[0].channel.kind == "sms"


def test_the_prescription_date_is_computed_from_first_seen(knowledge: Knowledge) -> None:
    result = run(knowledge, {**ADULT, "situations": ["insult_defamation"], "first_seen": "2026-09-01"})
    warning = next(w for w in result.warnings if w.code == "prescription_3_months")
    assert "1 décembre 2026" in warning.text.fr
    assert "1 septembre 2027" in warning.text.fr
    assert "1 December 2026" in warning.text.en


def test_the_3018_is_not_offered_to_an_adult_victim(knowledge: Knowledge) -> None:
    assert "3018" not in run(knowledge, {**ADULT, "situations": ["cyberharassment"]}).ordered_ids()


def test_reasons_from_several_rules_are_all_given(knowledge: Knowledge) -> None:
    result = run(
        knowledge,
        {"age": 14, "role": "victim", "situations": ["cyberharassment"], "school_related": True},
    )
    first = result.recommendations[0]
    assert first.resource.id == "3018"
    assert {"3018-young-harassment", "3018-school"} <= set(first.rule_ids)
    assert len(first.why) == 2


def test_recommendations_carry_open_state_and_channels(knowledge: Knowledge) -> None:
    result = run(knowledge, {"age": 14, "role": "victim", "situations": ["cyberharassment"]})
    rec = result.recommendations[0]
    assert rec.state.open_now is True  # Saturday noon, the 3018 is open 9h–23h
    assert rec.channels[0].channel.kind == "phone"
