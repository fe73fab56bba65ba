"""Opening hours: open now, closes at, next opening — across DST, holidays and local calendars."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from recours.adapters.knowledge import Knowledge
from recours.domain.common import Text
from recours.domain.hours import (
    DateException,
    OpeningHours,
    TimeRange,
    WeeklyHours,
    is_public_holiday,
    public_holiday_name,
    state_at,
)

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
SUMMARY = Text(fr="horaires", en="hours")


def hours(**overrides: object) -> OpeningHours:
    base: dict[str, object] = {
        "weekly": [
            WeeklyHours(
                days=["mon", "tue", "wed", "thu", "fri"],
                ranges=[TimeRange(start="09:00", end="17:00")],
            )
        ],
        "summary": SUMMARY,
    }
    base.update(overrides)
    return OpeningHours.model_validate(base)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def test_it_is_open_inside_a_range_and_says_when_it_closes(knowledge: Knowledge) -> None:
    state = state_at(knowledge.directory.get("3018").hours, paris(2026, 11, 28, 12, 0))
    assert state.open_now is True
    assert state.closes_at == paris(2026, 11, 28, 23, 0)
    assert state.next_opening is None


def test_it_is_closed_after_hours_and_gives_the_next_opening(knowledge: Knowledge) -> None:
    state = state_at(knowledge.directory.get("3018").hours, paris(2026, 11, 28, 23, 0))
    assert state.open_now is False
    assert state.next_opening == paris(2026, 11, 29, 9, 0)


def test_the_3018_is_open_on_christmas_day(knowledge: Knowledge) -> None:
    state = state_at(knowledge.directory.get("3018").hours, paris(2026, 12, 25, 10, 0))
    assert state.open_now is True


def test_a_service_closed_on_holidays_is_closed_on_christmas_and_reopens_after(
    knowledge: Knowledge,
) -> None:
    cnil = knowledge.directory.get("cnil").hours
    # Friday 25 December 2026 is a weekday but a public holiday.
    state = state_at(cnil, paris(2026, 12, 25, 10, 0))
    assert state.open_now is False
    assert state.next_opening == paris(2026, 12, 28, 9, 30)


def test_saturday_hours_apply_only_on_saturday() -> None:
    schedule = hours(
        weekly=[
            WeeklyHours(
                days=["mon", "tue", "wed", "thu", "fri"],
                ranges=[TimeRange(start="09:00", end="20:00")],
            ),
            WeeklyHours(days=["sat"], ranges=[TimeRange(start="09:00", end="18:00")]),
        ]
    )
    assert state_at(schedule, paris(2026, 11, 28, 17, 59)).open_now is True
    assert state_at(schedule, paris(2026, 11, 28, 18, 0)).open_now is False
    sunday = state_at(schedule, paris(2026, 11, 29, 12, 0))
    assert sunday.open_now is False
    assert sunday.next_opening == paris(2026, 11, 30, 9, 0)


@pytest.mark.parametrize(
    ("instant", "open_now"),
    [
        # 29 March 2026: clocks go from 02:00 to 03:00 in Paris.
        (datetime(2026, 3, 29, 7, 59, tzinfo=UTC), True),  # 09:59 CEST
        (datetime(2026, 3, 29, 6, 59, tzinfo=UTC), False),  # 08:59 CEST
        # 25 October 2026: clocks go from 03:00 back to 02:00.
        (datetime(2026, 10, 25, 21, 59, tzinfo=UTC), True),  # 22:59 CET
        (datetime(2026, 10, 25, 22, 0, tzinfo=UTC), False),  # 23:00 CET
    ],
)
def test_it_follows_daylight_saving_changes(knowledge: Knowledge, instant: datetime, open_now: bool) -> None:
    assert state_at(knowledge.directory.get("3018").hours, instant).open_now is open_now


def test_the_next_opening_after_the_spring_change_is_in_summer_time(knowledge: Knowledge) -> None:
    state = state_at(knowledge.directory.get("3018").hours, datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    assert state.next_opening is not None
    assert state.next_opening.utcoffset() is not None
    assert state.next_opening.astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_a_time_skipped_by_dst_opens_after_the_gap() -> None:
    schedule = hours(weekly=[WeeklyHours(days=["sun"], ranges=[TimeRange(start="02:30", end="04:00")])])
    state = state_at(schedule, datetime(2026, 3, 29, 0, 0, tzinfo=UTC))  # 01:00 CET
    assert state.next_opening is not None
    assert state.next_opening.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_alsace_moselle_holidays_close_a_local_service_on_good_friday() -> None:
    local = hours(subdivision="6AE")
    national = hours()
    good_friday = paris(2026, 4, 3, 10, 0)
    assert state_at(local, good_friday).open_now is False
    assert state_at(national, good_friday).open_now is True
    assert state_at(hours(subdivision="57"), paris(2026, 12, 26, 10, 0)).open_now is False
    assert is_public_holiday(date(2026, 12, 26), "57")
    assert not is_public_holiday(date(2026, 12, 26))


def test_holiday_names_are_in_french() -> None:
    assert public_holiday_name(date(2026, 7, 14)) == "Fête nationale"
    assert public_holiday_name(date(2026, 7, 15)) is None


def test_special_holiday_hours_replace_the_weekly_ones() -> None:
    schedule = hours(public_holidays="special", holiday_ranges=[TimeRange(start="10:00", end="12:00")])
    assert state_at(schedule, paris(2026, 7, 14, 9, 30)).open_now is False
    assert state_at(schedule, paris(2026, 7, 14, 11, 0)).open_now is True


def test_a_dated_exception_wins_over_the_week() -> None:
    schedule = hours(
        exceptions=[DateException(date=date(2026, 12, 24), ranges=[TimeRange(start="09:00", end="12:00")])]
    )
    assert state_at(schedule, paris(2026, 12, 24, 11, 0)).open_now is True
    assert state_at(schedule, paris(2026, 12, 24, 13, 0)).open_now is False
    closed = hours(exceptions=[DateException(date=date(2026, 12, 1), closed=True)])
    assert state_at(closed, paris(2026, 12, 1, 10, 0)).open_now is False


def test_ranges_running_to_midnight_join_the_next_day() -> None:
    schedule = hours(
        weekly=[
            WeeklyHours(days=["mon"], ranges=[TimeRange(start="20:00", end="24:00")]),
            WeeklyHours(days=["tue"], ranges=[TimeRange(start="00:00", end="08:00")]),
        ]
    )
    state = state_at(schedule, paris(2026, 11, 30, 23, 0))
    assert state.open_now is True
    assert state.closes_at == paris(2026, 12, 1, 8, 0)


def test_always_open_and_no_hours() -> None:
    always = OpeningHours(always_open=True, summary=SUMMARY)
    assert state_at(always, paris(2026, 12, 25, 3, 0)).open_now is True
    assert state_at(always, paris(2026, 12, 25, 3, 0)).closes_at is None
    assert state_at(None, paris(2026, 12, 25, 3, 0)).open_now is None


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        state_at(hours(), datetime(2026, 1, 1, 12, 0))


@pytest.mark.parametrize(
    "bad",
    [
        {"start": "9:00", "end": "17:00"},
        {"start": "17:00", "end": "09:00"},
        {"start": "24:30", "end": "25:00"},
    ],
)
def test_malformed_ranges_are_rejected(bad: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        TimeRange.model_validate(bad)


def test_unknown_zone_and_subdivision_are_rejected() -> None:
    with pytest.raises(ValidationError):
        hours(timezone="Europe/Atlantis")
    with pytest.raises(ValidationError):
        hours(subdivision="67")  # must be written 6AE for Alsace
