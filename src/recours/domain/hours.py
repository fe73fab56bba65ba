"""Opening hours: a small structured model and the "open now / closes at / next opening" maths.

Hours are evaluated in the organisation's own time zone (Europe/Paris unless stated), with
French public holidays from the ``holidays`` package, subdivision included for local
services (Alsace-Moselle adds Good Friday and 26 December; overseas départements add their
own days). We keep our own model rather than OSM syntax because opening-hours-py does not
know the Alsace-Moselle holidays (research/libs.md §10).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import field_validator, model_validator

from recours.domain.common import StrictModel, Text

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HolidayRule = Literal["open", "closed", "special"]

_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
# How far ahead "next opening" looks: two weeks covers any weekly schedule plus a
# run of holidays or exceptions (e.g. Christmas to New Year).
_LOOKAHEAD_DAYS = 15


class TimeRange(StrictModel):
    """``HH:MM``–``HH:MM`` on one day; ``24:00`` means midnight at the end of the day."""

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f"not a HH:MM time: {value!r}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if _minutes(self.start) >= _minutes(self.end):
            raise ValueError(f"{self.start}-{self.end}: the end must come after the start")
        return self


class WeeklyHours(StrictModel):
    days: list[Weekday]
    ranges: list[TimeRange]


class DateException(StrictModel):
    """A dated change: closed that day, or open with other ranges."""

    date: date
    closed: bool = False
    ranges: list[TimeRange] = []
    note: Text | None = None

    @model_validator(mode="after")
    def _closed_or_ranges(self) -> DateException:
        if self.closed == bool(self.ranges):
            raise ValueError("an exception is either closed or has ranges")
        return self


class OpeningHours(StrictModel):
    """When a service answers. ``always_open`` is 24/7, every day of the year."""

    timezone: str = "Europe/Paris"
    always_open: bool = False
    weekly: list[WeeklyHours] = []
    public_holidays: HolidayRule = "closed"
    holiday_ranges: list[TimeRange] = []
    # A holidays subdivision code for a local service: "6AE" (Alsace), "57" (Moselle), "974"…
    subdivision: str | None = None
    exceptions: list[DateException] = []
    summary: Text

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> OpeningHours:
        if self.always_open == bool(self.weekly):
            raise ValueError("hours are either always_open or have weekly ranges")
        if (self.public_holidays == "special") != bool(self.holiday_ranges):
            raise ValueError("holiday_ranges go with public_holidays = 'special', only")
        if self.subdivision is not None and self.subdivision not in _fr_subdivisions():
            raise ValueError(f"unknown French holiday subdivision {self.subdivision!r}")
        return self


@dataclass(frozen=True)
class OpenState:
    """Where a service stands at a given instant.

    ``open_now`` is None when the service has no hours (a web form can be used any time,
    but nobody answers it live). ``closes_at`` is None when open around the clock;
    ``next_opening`` is None when open now, always open, or nothing opens in two weeks.
    """

    open_now: bool | None
    closes_at: datetime | None = None
    next_opening: datetime | None = None


def state_at(hours: OpeningHours | None, at: datetime) -> OpenState:
    """Whether ``hours`` are open at the aware instant ``at``, and when that changes."""
    if at.tzinfo is None:
        raise ValueError("state_at needs an aware datetime")
    if hours is None:
        return OpenState(open_now=None)
    if hours.always_open:
        return OpenState(open_now=True)
    zone = ZoneInfo(hours.timezone)
    local = at.astimezone(zone)
    # Start the day before so a range that began yesterday and runs past midnight counts.
    windows = _merged(
        window
        for offset in range(-1, _LOOKAHEAD_DAYS)
        for window in _windows_on(hours, local.date() + timedelta(days=offset), zone)
    )
    for start, end in windows:
        if start <= at < end:
            return OpenState(open_now=True, closes_at=end.astimezone(zone))
        if start > at:
            return OpenState(open_now=False, next_opening=start.astimezone(zone))
    return OpenState(open_now=False)


def ranges_on(hours: OpeningHours, day: date) -> list[TimeRange]:
    """The ranges that apply on ``day``: a dated exception, else the holiday rule, else the week."""
    for exception in hours.exceptions:
        if exception.date == day:
            return exception.ranges
    if is_public_holiday(day, hours.subdivision):
        if hours.public_holidays == "closed":
            return []
        if hours.public_holidays == "special":
            return hours.holiday_ranges
    weekday = WEEKDAYS[day.weekday()]
    return [r for week in hours.weekly if weekday in week.days for r in week.ranges]


def is_public_holiday(day: date, subdivision: str | None = None) -> bool:
    return day in _holiday_calendar(day.year, subdivision)


def public_holiday_name(day: date, subdivision: str | None = None) -> str | None:
    name = _holiday_calendar(day.year, subdivision).get(day)
    return str(name) if name is not None else None


@lru_cache(maxsize=64)
def _holiday_calendar(year: int, subdivision: str | None) -> holidays.HolidayBase:
    # language="fr" explicitly: without it the names come out in English (libs.md §10).
    return holidays.country_holidays("FR", subdiv=subdivision, years=year, language="fr")


@lru_cache(maxsize=1)
def _fr_subdivisions() -> frozenset[str]:
    codes = holidays.country_holidays("FR").subdivisions
    return frozenset(str(code) for code in codes)


def _windows_on(hours: OpeningHours, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    return [(_at(day, r.start, zone), _at(day, r.end, zone)) for r in ranges_on(hours, day)]


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    """The aware instant of a wall-clock time; a time skipped by DST lands after the gap."""
    if clock == "24:00":
        day, clock = day + timedelta(days=1), "00:00"
    hour, minute = (int(part) for part in clock.split(":"))
    wall = datetime.combine(day, time(hour, minute), tzinfo=zone)
    # Round-trip through UTC normalises a non-existent wall time (spring forward).
    return wall.astimezone(ZoneInfo("UTC")).astimezone(zone)


def _merged(windows: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sort and join touching windows, so 20:00–24:00 then 00:00–08:00 is one opening."""
    ordered = sorted(windows)
    merged: list[tuple[datetime, datetime]] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _minutes(clock: str) -> int:
    hour, minute = (int(part) for part in clock.split(":"))
    return hour * 60 + minute
