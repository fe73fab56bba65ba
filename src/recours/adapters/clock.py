"""The clock, the only place that reads the current time (the domain is given the time)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from recours.errors import InvalidDateTime

PARIS = ZoneInfo("Europe/Paris")


def now(fixed: datetime | None = None) -> datetime:
    if fixed is not None:
        return fixed if fixed.tzinfo else fixed.replace(tzinfo=PARIS)
    return datetime.now(PARIS)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is taken as Paris time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidDateTime(
            f"« {text} » n’est pas une date et heure lisible. Exemple : 2026-12-25T10:30 "
            "ou 2026-12-25T10:30+01:00.",
            f"“{text}” is not a readable date and time. Example: 2026-12-25T10:30 or 2026-12-25T10:30+01:00.",
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=PARIS)
