"""Options shared by several commands, declared once."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

import typer

from recours.adapters.clock import now, parse_instant
from recours.cli.text import _
from recours.errors import BadInput
from recours.settings import Settings

JsonOption = Annotated[bool, typer.Option("--json", help=_("Sortie JSON."))]
AtOption = Annotated[
    str | None,
    typer.Option("--at", metavar="DATE", help=_("Date et heure ISO 8601 (défaut : maintenant).")),
]


def at_instant(at: str | None) -> datetime:
    """The instant of ``--at``, or now (or ``RECOURS_FIXED_TIME``)."""
    return parse_instant(at) if at is not None else now(Settings().fixed_time)


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD option (``--since``, ``--until``), or the bad-input error a user can read."""
    if text is None:
        return None
    try:
        # Exactly YYYY-MM-DD: the vault compares these days as text, so "20260301" must not pass.
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"Date non valable : « {text} » (format AAAA-MM-JJ).",
            f"Invalid date: “{text}” (format YYYY-MM-DD).",
        ) from None
