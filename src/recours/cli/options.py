"""Options shared by several commands, declared once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from recours.adapters.clock import now, parse_instant
from recours.cli.text import _
from recours.settings import Settings

JsonOption = Annotated[bool, typer.Option("--json", help=_("Sortie JSON."))]
AtOption = Annotated[
    str | None,
    typer.Option("--at", metavar="DATE", help=_("Date et heure ISO 8601 (défaut : maintenant).")),
]


def at_instant(at: str | None) -> datetime:
    """The instant of ``--at``, or now (or ``RECOURS_FIXED_TIME``)."""
    return parse_instant(at) if at is not None else now(Settings().fixed_time)
