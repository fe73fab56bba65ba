"""Properties of the engine over any situation (hypothesis): guarantees the data cannot break."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recours.adapters.knowledge import load_knowledge
from recours.domain.directory import ROLES
from recours.domain.orientation import add_months, orient
from recours.domain.situation import GOALS, SITUATION_KINDS, VISIBILITIES, Situation

KNOWLEDGE = load_knowledge()
maybe_bool = st.none() | st.booleans()

situations = st.builds(
    Situation,
    immediate_danger=maybe_bool,
    suicidal_thoughts=maybe_bool,
    cannot_speak=maybe_bool,
    age=st.none() | st.integers(min_value=0, max_value=120),
    role=st.sampled_from(ROLES),
    situations=st.lists(st.sampled_from(SITUATION_KINDS), min_size=1, max_size=5, unique=True),
    visibility=st.none() | st.sampled_from(VISIBILITIES),
    author_known=maybe_bool,
    school_related=maybe_bool,
    money_demanded=maybe_bool,
    goals=st.lists(st.sampled_from(GOALS), max_size=3, unique=True),
    first_seen=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.just(ZoneInfo("Europe/Paris")),
)


@given(situations, instants)
def test_orientation_guarantees(situation: Situation, now: datetime) -> None:
    result = orient(situation, KNOWLEDGE.rules, KNOWLEDGE.directory, now)
    shown = [u.resource for u in result.urgent] + [r.resource for r in result.recommendations]
    # Only active entries are ever given as somewhere to turn (never the 3020, the OFAC…).
    assert all(r.status == "active" for r in shown)
    # Urgent contacts exist exactly when something urgent was said.
    urgent_said = bool(
        situation.immediate_danger or situation.suicidal_thoughts or "child_in_danger" in situation.situations
    )
    assert bool(result.urgent) == urgent_said
    # Ranks are 1..n, each entry once.
    assert [r.rank for r in result.recommendations] == list(range(1, len(result.recommendations) + 1))
    ids = [r.resource.id for r in result.recommendations]
    assert len(ids) == len(set(ids))
    # StopNCII is for adults only.
    if situation.age is not None and situation.age < 18:
        assert "stopncii" not in ids
    # Every text was filled: no placeholder left.
    texts = [u.why for u in result.urgent] + [w.text for w in result.warnings] + result.next_steps
    texts += [t for r in result.recommendations for t in [*r.why, r.what_to_do]]
    assert not any("{" in t.fr or "{" in t.en for t in texts)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 36))
def test_add_months_lands_on_the_same_day_or_the_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result + timedelta(days=1)).month != result.month


@pytest.mark.deep
@settings(max_examples=20_000, deadline=None)
@given(situations, instants)
def test_orientation_guarantees_deep(situation: Situation, now: datetime) -> None:
    test_orientation_guarantees.hypothesis.inner_test(situation, now)  # type: ignore[attr-defined]
