"""The language of the command line, chosen before Typer reads its help texts.

Typer evaluates help strings when commands are declared, so ``--lang`` is looked for in
``sys.argv`` before the app is built (research/libs.md §11).
"""

from __future__ import annotations

import sys

from recours.domain.common import Lang
from recours.i18n import gettext_for, lang_from_environment, parse_lang


def initial_lang(argv: list[str]) -> Lang:
    for index, arg in enumerate(argv):
        if arg.startswith("--lang="):
            found = parse_lang(arg.split("=", 1)[1])
        elif arg == "--lang" and index + 1 < len(argv):
            found = parse_lang(argv[index + 1])
        else:
            continue
        if found:
            return found
    return lang_from_environment()


HELP_LANG: Lang = initial_lang(sys.argv)
_ = gettext_for(HELP_LANG).gettext
