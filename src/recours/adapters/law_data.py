"""Load the offences shipped in ``recours/data/law_fr.toml`` and validate them (domain/law.py).

As in knowledge.py: TOML only (stdlib ``tomllib``), and a file that fails validation is a bug
in Recours, reported through :func:`broken_data_file`, never shown to a user as their fault.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from pydantic import ValidationError

from recours.adapters.knowledge import broken_data_file
from recours.domain.law import LawBook

LAW_FILE = "law_fr.toml"


@lru_cache(maxsize=1)
def load_law() -> LawBook:
    """The law book, parsed and validated once per process."""
    path = resources.files("recours") / "data" / LAW_FILE
    try:
        return LawBook.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise broken_data_file(LAW_FILE, str(exc)) from exc
