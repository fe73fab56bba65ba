"""The law as data (data/law_fr.toml, domain/law.py): complete, sourced, honest, and the
suggestions and deadlines computed from a case's facts."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from recours.adapters import law_data
from recours.adapters.law_data import load_law
from recours.domain.law import (
    CIRCUMSTANCES,
    CaseFacts,
    Deadline,
    LawBook,
    Period,
    Suggestion,
    compute_deadlines,
    period_end,
    suggest_offences,
)
from recours.domain.signals import CATEGORIES
from recours.domain.situation import SITUATION_KINDS, Situation
from recours.errors import KnowledgeError

TODAY = date(2026, 11, 28)

# The offences the brief (issue 5) asks for, by id, with the articles each must cite.
REQUIRED: dict[str, set[str]] = {
    "cp-222-33-2-2": {"222-33-2-2"},
    "cp-222-33-2-3": {"222-33-2-3"},
    "cp-222-33": {"222-33"},
    "cp-226-1": {"226-1", "226-2"},
    "cp-226-2-1": {"226-2-1"},
    "cp-226-8-1": {"226-8-1"},
    "cp-226-4-1": {"226-4-1"},
    "cp-222-17": {"222-17"},
    "cp-222-18": {"222-18"},
    "cp-312-10": {"312-10", "312-11"},
    "cp-227-23-1": {"227-23-1"},
    "cp-227-22-2": {"227-22-2"},
    "cp-223-1-1": {"223-1-1"},
    "cp-222-16": {"222-16"},
    "loi1881-32": {"29 al. 1", "32"},
    "loi1881-33": {"29 al. 2", "33"},
    "cp-r621-1": {"R621-1"},
    "cp-r621-2": {"R621-2"},
}


@pytest.fixture(scope="module")
def law() -> LawBook:
    return load_law()


def facts(**values: Any) -> CaseFacts:
    return CaseFacts(today=values.pop("today", TODAY), **values)


def ids(suggestions: list[Suggestion]) -> list[str]:
    return [s.offence.id for s in suggestions]


def suggestion(suggestions: list[Suggestion], offence_id: str) -> Suggestion:
    return next(s for s in suggestions if s.offence.id == offence_id)


def only(deadlines: list[Deadline], offence_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.offence_id == offence_id]


# ------------------------------------------------------------------------------ the data


def test_the_data_loads_once_per_process() -> None:
    assert load_law() is load_law()


@pytest.mark.parametrize(("offence_id", "articles"), sorted(REQUIRED.items()))
def test_every_required_offence_is_there_with_its_articles(
    law: LawBook, offence_id: str, articles: set[str]
) -> None:
    assert set(law.get(offence_id).articles) == articles


def test_the_account_suspension_penalty_is_there_and_linked_to_harassment(law: LawBook) -> None:
    extra = law.additional("cp-131-35-1")
    assert extra.articles == ["131-35-1"]
    assert "cp-222-33-2-2" in extra.applies_to
    assert not extra.applies_to_checked and extra.note  # the full list of offences is to check
    assert any("2024-449" in change.law for change in extra.history)


def test_online_outrage_is_recorded_as_struck_down_and_never_an_offence(law: LawBook) -> None:
    (outrage,) = law.struck_down
    assert "2024-866 DC" in outrage.decision and outrage.decided_on == date(2024, 5, 17)
    assert "n’existe pas" in outrage.title.fr
    planned = set(outrage.planned_articles)
    assert not planned & {a for o in law.offence for a in o.articles}


@pytest.mark.parametrize("offence_id", sorted(REQUIRED))
def test_every_offence_is_sourced_dated_and_complete(law: LawBook, offence_id: str) -> None:
    offence = law.get(offence_id)
    assert offence.sources and all(s.title and s.ref for s in offence.sources)
    assert offence.last_checked <= TODAY
    assert offence.elements and offence.penalties and offence.limitations and offence.triggers


def test_everything_is_sourced_and_dated(law: LawBook) -> None:
    entries = [*law.offence, *law.additional_penalty, *law.struck_down]
    assert all(e.sources and e.last_checked <= TODAY for e in entries)
    assert all(g.sources for g in law.general)


def test_unchecked_figures_are_marked_and_explained(law: LawBook) -> None:
    # research §3: penalties of 222-33 and 222-16 are UNVERIFIED; so is the start at the last
    # act of a délit d'habitude, and the majority rule for 227-23-1.
    assert not any(p.checked for p in law.get("cp-222-33").penalties)
    assert not law.get("cp-222-16").base_penalty.checked
    assert not law.get("cp-222-33-2-2").limitations[0].checked
    majority = [lim for lim in law.get("cp-227-23-1").limitations if lim.starts == "majority"]
    assert majority and not majority[0].checked
    for offence in law.offence:
        for item in [*offence.penalties, *offence.limitations, *offence.history]:
            assert item.checked or item.note, offence.id


def test_verified_figures_match_the_research(law: LawBook) -> None:
    harassment = law.get("cp-222-33-2-2")
    assert [(p.prison_months, p.fine_eur) for p in harassment.penalties] == [
        (12, 15000),
        (24, 30000),
        (36, 45000),
    ]
    assert law.get("cp-222-33-2-3").max_penalty.fine_eur == 150000
    assert law.get("cp-226-8-1").max_penalty.weight == (36, 75000)
    assert law.get("loi1881-33").base_penalty.weight == (0, 12000)
    insult_periods = {(lim.period.total_months, tuple(lim.when)) for lim in law.get("loi1881-33").limitations}
    assert insult_periods == {(3, ()), (12, ("discriminatory",))}


def test_disagreements_between_sources_are_recorded(law: LawBook) -> None:
    assert law.get("cp-222-33-2-2").disagreements  # C8
    assert law.get("loi1881-33").disagreements  # C9
    assert law.get("cp-r621-2").disagreements and law.get("cp-r621-2").limitations[0].caution


def test_every_trigger_names_known_facts(law: LawBook) -> None:
    for offence in law.offence:
        for trigger in offence.triggers:
            assert set(trigger.categories) <= set(CATEGORIES)
            assert set(trigger.situations) <= set(SITUATION_KINDS)
            assert set(trigger.needs) <= set(CIRCUMSTANCES)


def test_the_packaged_file_round_trips_through_the_model() -> None:
    raw = (resources.files("recours") / "data" / "law_fr.toml").read_text(encoding="utf-8")
    book = LawBook.model_validate(tomllib.loads(raw))
    assert book == load_law()


def _raw() -> dict[str, Any]:
    raw = (resources.files("recours") / "data" / "law_fr.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def test_an_unchecked_penalty_without_a_note_is_refused() -> None:
    raw = _raw()
    penalty = raw["offence"][0]["penalties"][0]
    penalty["checked"] = False
    penalty.pop("note", None)
    with pytest.raises(ValidationError, match="to check"):
        LawBook.model_validate(raw)


def test_an_offence_without_sources_is_refused() -> None:
    raw = _raw()
    raw["offence"][0]["sources"] = []
    with pytest.raises(ValidationError):
        LawBook.model_validate(raw)


def test_a_penalty_needing_an_unlisted_circumstance_is_refused() -> None:
    raw = _raw()
    raw["offence"][0]["penalties"][1]["requires"] = ["organised_gang"]
    with pytest.raises(ValidationError, match="not in aggravations"):
        LawBook.model_validate(raw)


def test_a_broken_data_file_is_reported_as_a_bug_of_recours(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "law_fr.toml").write_text("last_checked = 'hier'\n", encoding="utf-8")
    monkeypatch.setattr(law_data.resources, "files", lambda _package: tmp_path)
    with pytest.raises(KnowledgeError) as caught:
        law_data.load_law.__wrapped__()
    assert "law_fr.toml" in caught.value.fr and "pas de votre fait" in caught.value.fr


# ------------------------------------------------------------------------- suggestions


def test_a_raid_on_a_minor_online_is_harassment_with_both_aggravations(law: LawBook) -> None:
    found = suggest_offences(
        facts(
            categories=["insult", "exclusion"],
            pile_on=True,
            situations=["cyberharassment"],
            victim_age=14,
            first_act=date(2026, 10, 1),
            last_act=date(2026, 11, 20),
        ),
        law,
    )
    first = found[0]
    assert first.offence.id == "cp-222-33-2-2"
    assert {m.circumstance for m in first.aggravations} == {"online", "minor_victim"}
    assert first.penalty.weight == (36, 45000)  # two circumstances: 3 years, €45,000
    assert any("raid" in reason.fr for reason in first.reasons)
    assert [a.id for a in first.additional_penalties] == ["cp-131-35-1"]


def test_a_raid_on_an_adult_online_reaches_the_first_tier(law: LawBook) -> None:
    found = suggest_offences(facts(pile_on=True, categories=["insult"], victim_age=30), law)
    harassment = suggestion(found, "cp-222-33-2-2")
    assert [m.circumstance for m in harassment.aggravations] == ["online"]
    assert harassment.penalty.weight == (24, 30000)


def test_before_march_2022_only_a_victim_under_15_aggravated_harassment(law: LawBook) -> None:
    old = facts(
        pile_on=True, victim_age=20, first_act=date(2021, 1, 5), last_act=date(2021, 6, 1), online=True
    )
    harassment = suggestion(suggest_offences(old, law), "cp-222-33-2-2")
    assert "minor_victim" not in {m.circumstance for m in harassment.aggravations}
    assert any("moins de 15 ans" in c.fr for c in harassment.caveats)
    straddling = facts(pile_on=True, victim_age=16, first_act=date(2022, 1, 5), last_act=date(2022, 6, 1))
    match = next(
        m
        for m in suggestion(suggest_offences(straddling, law), "cp-222-33-2-2").aggravations
        if m.circumstance == "minor_victim"
    )
    assert match.caveat is not None and "15 ans" in match.caveat.fr


def test_sextortion_points_first_to_blackmail(law: LawBook) -> None:
    case = facts(
        situations=["sextortion"], flags=["money_demanded"], victim_age=25, first_act=date(2026, 11, 1)
    )
    found = suggest_offences(case, law)
    assert found[0].offence.id == "cp-312-10"
    assert found[0].penalty.weight == (84, 100000)  # online, with sexual images
    assert "cp-227-23-1" not in ids(found)  # an adult at the time: the minors' offence is ruled out
    # Without the date of the acts, a 25-year-old may have been a minor then: kept, with a caveat.
    undated = suggest_offences(case.model_copy(update={"first_act": None}), law)
    assert suggestion(undated, "cp-227-23-1").caveats


def test_threats_to_share_intimate_images_point_to_226_2_1(law: LawBook) -> None:
    found = suggest_offences(facts(categories=["image_threat"], situations=["intimate_images"]), law)
    assert {"cp-226-2-1", "cp-312-10", "cp-222-18"} <= set(ids(found))
    assert ids(found).index("cp-226-2-1") < ids(found).index("cp-226-8-1")


def test_sextortion_of_a_minor_points_to_227_23_1(law: LawBook) -> None:
    found = suggest_offences(
        facts(situations=["sextortion"], categories=["sexual_harassment"], victim_age=13), law
    )
    minors = suggestion(found, "cp-227-23-1")
    assert not minors.caveats
    assert minors.penalty.weight == (120, 150000)  # under 15


def test_school_harassment_points_to_222_33_2_3(law: LawBook) -> None:
    found = suggest_offences(facts(situations=["school_harassment"], flags=["school_related"]), law)
    assert found[0].offence.id == "cp-222-33-2-3"


def test_school_harassment_before_the_law_existed_comes_last_with_a_caveat(law: LawBook) -> None:
    found = suggest_offences(
        facts(situations=["school_harassment"], first_act=date(2021, 3, 1), last_act=date(2021, 6, 1)), law
    )
    assert found[-1].offence.id == "cp-222-33-2-3"
    assert any("4 mars 2022" in c.fr for c in found[-1].caveats)


def test_death_threats_reach_the_heavier_penalty(law: LawBook) -> None:
    found = suggest_offences(facts(categories=["death_threat"]), law)
    assert found[0].offence.id == "cp-222-17"
    assert found[0].penalty.weight == (36, 45000)


def test_hateful_threats_point_to_aggravated_threats(law: LawBook) -> None:
    found = suggest_offences(facts(categories=["threat", "hate_racist"]), law)
    assert "cp-222-18-1" in ids(found)
    assert "cp-222-18-1" not in ids(suggest_offences(facts(categories=["threat"]), law))


def test_a_discriminatory_public_insult_is_aggravated(law: LawBook) -> None:
    found = suggest_offences(facts(categories=["hate_lgbtphobic"], visibility="public"), law)
    insult = suggestion(found, "loi1881-33")
    assert insult.penalty.weight == (12, 45000)
    assert "cp-r621-2" not in ids(found)  # known public: not the non-public contravention


def test_private_insults_are_the_contravention_not_the_press_offence(law: LawBook) -> None:
    found = ids(suggest_offences(facts(categories=["insult"], visibility="private"), law))
    assert "cp-r621-2" in found and "loi1881-33" not in found


def test_doxxing_points_to_223_1_1(law: LawBook) -> None:
    assert suggest_offences(facts(categories=["doxxing"]), law)[0].offence.id == "cp-223-1-1"


def test_identity_theft_points_to_226_4_1(law: LawBook) -> None:
    assert suggest_offences(facts(situations=["identity_theft"]), law)[0].offence.id == "cp-226-4-1"


def test_nothing_known_suggests_nothing_and_says_no_no(law: LawBook) -> None:
    assert suggest_offences(facts(), law) == []
    assert compute_deadlines(facts(), law) == []


def test_unknown_visibility_keeps_both_insults_with_caveats(law: LawBook) -> None:
    found = suggest_offences(facts(categories=["insult"]), law)
    assert {"loi1881-33", "cp-r621-2"} <= set(ids(found))
    assert suggestion(found, "loi1881-33").caveats and suggestion(found, "cp-r621-2").caveats


def test_unknown_age_keeps_the_minors_offence_with_a_caveat(law: LawBook) -> None:
    found = suggest_offences(facts(situations=["sextortion"]), law)
    minors = suggestion(found, "cp-227-23-1")
    assert any("18 ans" in c.fr for c in minors.caveats)


def test_unknown_age_gives_no_minor_aggravation(law: LawBook) -> None:
    harassment = suggestion(suggest_offences(facts(pile_on=True), law), "cp-222-33-2-2")
    assert "minor_victim" not in {m.circumstance for m in harassment.aggravations}


def test_facts_come_from_an_orientation_answer() -> None:
    situation = Situation(
        role="parent",
        situations=["school_harassment", "cyberharassment"],
        age=12,
        visibility="private",
        school_related=True,
        money_demanded=False,
        first_seen=date(2026, 9, 15),
    )
    case = CaseFacts.from_situation(situation, today=TODAY, categories=["insult"], pile_on=True)
    assert case.flags == ["school_related"]  # False is not "yes"; None is unknown
    assert case.victim_age == 12 and case.first_act == date(2026, 9, 15) and case.visibility == "private"


@pytest.mark.parametrize(
    "values",
    [
        {"first_act": date(2026, 5, 1), "last_act": date(2026, 4, 1)},
        {"last_act": date(2026, 12, 1)},
        {"victim_birth_date": date(2010, 1, 1), "victim_age": 30},
    ],
)
def test_incoherent_facts_are_refused(values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        facts(**values)


def test_dates_may_come_as_iso_text() -> None:
    case = CaseFacts.model_validate(
        {"today": "2026-11-28", "first_act": "2026-01-31", "categories": ["insult"]}
    )
    assert case.first_act == date(2026, 1, 31)


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 10), 3, date(2026, 4, 10)),  # de quantième à quantième
        (date(2026, 1, 31), 3, date(2026, 4, 30)),  # no 31 April: the last day of the month
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2022, 11, 30), 3, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # 29 February + 1 year
        (date(2024, 2, 29), 72, date(2030, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 12, 31), 3, date(2027, 3, 31)),  # across the year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_period_end_runs_from_date_to_date(start: date, months: int, end: date) -> None:
    assert period_end(start, Period(months=months)) == end


def _insult(law: LawBook, published: date, today: date, **extra: Any) -> list[Deadline]:
    case = facts(
        today=today, categories=["insult"], visibility="public", first_publication=published, **extra
    )
    return only(compute_deadlines(case, law, ["loi1881-33"]), "loi1881-33")


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 1, 31), "running"),  # the day itself
        (date(2026, 2, 1), "running"),  # the day after
        (date(2026, 4, 29), "running"),
        (date(2026, 4, 30), "running"),  # the last day, until midnight
        (date(2026, 5, 1), "expired"),  # the day after the last day
    ],
)
def test_a_public_insult_is_time_barred_three_months_after_publication(
    law: LawBook, today: date, status: str
) -> None:
    (deadline,) = _insult(law, date(2026, 1, 31), today)
    assert (deadline.start, deadline.end, deadline.status) == (date(2026, 1, 31), date(2026, 4, 30), status)
    assert deadline.checked and not deadline.approximate


def test_a_discriminatory_public_insult_has_one_year_as_well(law: LawBook) -> None:
    case = facts(categories=["hate_racist"], visibility="public", first_publication=date(2026, 3, 1))
    deadlines = only(compute_deadlines(case, law, ["loi1881-33"]), "loi1881-33")
    assert [(d.period.total_months, d.end) for d in deadlines] == [
        (3, date(2026, 6, 1)),
        (12, date(2027, 3, 1)),
    ]
    assert [d.status for d in deadlines] == ["expired", "running"]
    assert "discriminatoire" in deadlines[1].text.fr


def test_without_a_publication_date_the_first_act_is_used_and_said_to_be_an_assumption(law: LawBook) -> None:
    case = facts(categories=["insult"], visibility="public", first_act=date(2026, 10, 1))
    (deadline,) = compute_deadlines(case, law, ["loi1881-33"])
    assert deadline.approximate and deadline.end == date(2027, 1, 1)
    assert "nous supposons" in deadline.text.fr and "1er octobre 2026" in deadline.text.fr


def test_harassment_runs_from_the_last_recorded_act(law: LawBook) -> None:
    case = facts(pile_on=True, first_act=date(2019, 1, 10), last_act=date(2024, 2, 29))
    (deadline,) = compute_deadlines(case, law, ["cp-222-33-2-2"])
    assert (deadline.start, deadline.end, deadline.status) == (
        date(2024, 2, 29),
        date(2030, 2, 28),
        "running",
    )
    assert not deadline.checked and "pas encore confirmée" in deadline.text.fr


def test_harassment_without_a_last_act_is_unknown_not_expired(law: LawBook) -> None:
    (deadline,) = compute_deadlines(facts(pile_on=True, first_act=date(2010, 1, 1)), law, ["cp-222-33-2-2"])
    assert deadline.status == "unknown" and deadline.end is None
    assert "dernier fait" in deadline.text.fr


def test_instant_offences_give_the_oldest_and_the_newest_act(law: LawBook) -> None:
    case = facts(categories=["threat"], first_act=date(2020, 11, 27), last_act=date(2021, 3, 1))
    deadlines = compute_deadlines(case, law, ["cp-222-17"])
    assert [(d.start, d.end, d.status) for d in deadlines] == [
        (date(2020, 11, 27), date(2026, 11, 27), "expired"),
        (date(2021, 3, 1), date(2027, 3, 1), "running"),
    ]


def test_a_minor_victims_deadline_runs_from_majority(law: LawBook) -> None:
    case = facts(situations=["sextortion"], victim_birth_date=date(2012, 2, 29), first_act=date(2026, 6, 1))
    deadlines = compute_deadlines(case, law, ["cp-227-23-1"])
    majority = next(d for d in deadlines if d.period.total_months == 120)
    # 18th birthday of a child born on 29 February: 28 February 2030 (no 29th that year).
    assert (majority.start, majority.end, majority.status) == (
        date(2030, 2, 28),
        date(2040, 2, 28),
        "running",
    )
    assert not majority.approximate and not majority.checked
    general = next(d for d in deadlines if d.period.total_months == 72)
    assert general.end == date(2032, 6, 1)


def test_a_minor_victims_deadline_from_an_age_is_approximate_and_early(law: LawBook) -> None:
    case = facts(situations=["sextortion"], victim_age=14)
    deadline = next(d for d in compute_deadlines(case, law, ["cp-227-23-1"]) if d.period.total_months == 120)
    # Aged 14 on 28 Nov 2026: 18 at the earliest on 29 Nov 2029 (born 29 Nov 2011).
    assert (
        deadline.approximate and deadline.start == date(2029, 11, 29) and deadline.end == date(2039, 11, 29)
    )
    assert "approximative" in deadline.text.fr


def test_a_minor_victims_deadline_without_age_is_unknown_and_says_why(law: LawBook) -> None:
    deadline = next(
        d
        for d in compute_deadlines(facts(situations=["sextortion"]), law, ["cp-227-23-1"])
        if d.period.total_months == 120
    )
    assert deadline.status == "unknown" and deadline.start is None
    assert "date de naissance" in deadline.text.fr and "birth date" in deadline.text.en


def test_an_adult_at_the_time_has_no_majority_deadline(law: LawBook) -> None:
    case = facts(victim_birth_date=date(2000, 1, 1), first_act=date(2025, 1, 1))
    assert all(d.period.total_months == 72 for d in compute_deadlines(case, law, ["cp-227-23-1"]))


def test_non_public_insults_show_the_shorter_period_and_say_sources_disagree(law: LawBook) -> None:
    (deadline,) = compute_deadlines(
        facts(categories=["insult"], first_act=date(2026, 10, 1)), law, ["cp-r621-2"]
    )
    assert deadline.end == date(2027, 1, 1) and not deadline.checked
    assert "pas d’accord" in deadline.text.fr


def test_a_deadline_on_a_weekend_or_holiday_says_to_ask(law: LawBook) -> None:
    # 1 January 2027 is a public holiday.
    (deadline,) = _insult(law, date(2026, 10, 1), TODAY)
    assert deadline.end == date(2027, 1, 1) and "jour férié" in deadline.text.fr
    (weekday,) = _insult(law, date(2026, 10, 6), TODAY)  # ends Wednesday 6 January 2027
    assert "jour férié" not in weekday.text.fr


def test_every_deadline_is_worded_as_information_to_check(law: LawBook) -> None:
    case = facts(
        categories=list(CATEGORIES),
        situations=list(SITUATION_KINDS),
        pile_on=True,
        victim_age=15,
        first_act=date(2025, 1, 1),
        last_act=date(2026, 6, 1),
        first_publication=date(2025, 1, 1),
    )
    deadlines = compute_deadlines(case, law, law.ids())
    assert {d.offence_id for d in deadlines} == set(law.ids())
    for deadline in deadlines:
        assert "pas un avis juridique" in deadline.text.fr and "not legal advice" in deadline.text.en
        assert "{" not in deadline.text.fr and "{" not in deadline.text.en


def test_suggested_offences_are_the_default_for_deadlines(law: LawBook) -> None:
    case = facts(pile_on=True, last_act=date(2026, 1, 1))
    assert {d.offence_id for d in compute_deadlines(case, law)} == set(ids(suggest_offences(case, law)))


# -------------------------------------------------------------------------- properties

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(start=days, months=st.integers(min_value=1, max_value=240))
def test_a_period_never_ends_before_it_starts_and_keeps_its_length(start: date, months: int) -> None:
    end = period_end(start, Period(months=months))
    assert end > start
    assert 28 * months <= (end - start).days <= 31 * months + 3
    # The same day number, or the last day of a shorter month.
    assert end.day == start.day or (end.day < start.day and (end + timedelta(days=1)).day == 1)


@st.composite
def case_facts(draw: st.DrawFn) -> CaseFacts:
    today = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    earlier = st.dates(min_value=date(1980, 1, 1), max_value=today)
    first, last = sorted((draw(earlier), draw(earlier)))
    return CaseFacts(
        today=today,
        categories=draw(st.lists(st.sampled_from(CATEGORIES), max_size=4)),
        situations=draw(st.lists(st.sampled_from(SITUATION_KINDS), max_size=3)),
        pile_on=draw(st.sampled_from([True, False, None])),
        visibility=draw(st.sampled_from(["public", "private", "both", "unknown", None])),
        victim_age=draw(st.none() | st.integers(min_value=0, max_value=90)),
        first_act=draw(st.none() | st.just(first)),
        last_act=draw(st.none() | st.just(last)),
        first_publication=draw(st.none() | earlier),
    )


@given(case=case_facts())
def test_deadlines_are_never_expired_before_their_end_nor_end_before_they_start(case: CaseFacts) -> None:
    law = load_law()
    for deadline in compute_deadlines(case, law, law.ids()):
        if deadline.status == "unknown":
            assert deadline.end is None
            continue
        assert deadline.start is not None and deadline.end is not None
        assert deadline.end > deadline.start
        assert (deadline.status == "expired") == (case.today > deadline.end)


@given(case=case_facts())
def test_suggestions_are_ranked_and_each_says_why(case: CaseFacts) -> None:
    found = suggest_offences(case, load_law())
    assert len(set(ids(found))) == len(found)
    for item in found:
        assert item.reasons and item.score >= 1
        assert item.penalty.weight <= item.max_penalty.weight
        assert item.penalty in item.offence.penalties
    on_time = [
        s.score for s in found if not any("s’applique aux faits commis depuis" in c.fr for c in s.caveats)
    ]
    assert on_time == sorted(on_time, reverse=True)


@given(case=case_facts())
def test_learning_a_fact_never_removes_a_suggestion_by_itself(case: CaseFacts) -> None:
    # Unknown is not "no": adding a category can only add offences or raise their score.
    law = load_law()
    before = {s.offence.id: s.score for s in suggest_offences(case, law)}
    more = case.model_copy(update={"categories": [*case.categories, "exclusion"]})
    after = {s.offence.id: s.score for s in suggest_offences(more, law)}
    assert set(before) <= set(after)
    assert all(after[i] >= score for i, score in before.items())
