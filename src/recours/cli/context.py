"""What every command needs: the language, the translator, the consoles, the knowledge."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from recours.adapters.knowledge import Knowledge, load_knowledge
from recours.domain.common import Lang
from recours.i18n import gettext_for


@dataclass
class CliState:
    lang: Lang = "fr"

    def _(self, message: str) -> str:
        return gettext_for(self.lang).gettext(message)

    @property
    def out(self) -> Console:
        return Console(highlight=False, soft_wrap=True)

    @property
    def err(self) -> Console:
        return Console(stderr=True, highlight=False)

    def knowledge(self) -> Knowledge:
        return load_knowledge()


STATE = CliState()


def print_json(data: Any) -> None:
    """Machine-readable output: plain UTF-8 JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
