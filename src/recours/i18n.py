"""Translations: French is the source language, English the translation.

Message ids are the French texts themselves, so French never depends on a catalogue and a
missing English translation falls back to French rather than to a code. The English
catalogue (``locale/en/LC_MESSAGES/messages.po``) is read at run time with Babel, so there
is no compiled ``.mo`` file to keep in sync. Directory and rule texts carry their own
``fr``/``en`` pairs in the data files (research/libs.md §11).
"""

from __future__ import annotations

import gettext
import io
import os
from functools import lru_cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from recours.domain.common import LANGS, Lang


@lru_cache(maxsize=4)
def gettext_for(lang: Lang) -> gettext.NullTranslations:
    if lang == "fr":
        return gettext.NullTranslations()
    po = resources.files("recours") / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def parse_lang(value: str | None) -> Lang | None:
    """``en``, ``en_GB.UTF-8``, ``fr-FR``… → ``en`` / ``fr``; anything else → None."""
    if not value:
        return None
    code = value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    for lang in LANGS:
        if code == lang:
            return lang
    return None


def lang_from_environment() -> Lang:
    """RECOURS_LANG, then LANGUAGE / LC_ALL / LANG; French when nothing says English."""
    for name in ("RECOURS_LANG", "LANGUAGE", "LC_ALL", "LANG"):
        lang = parse_lang(os.environ.get(name, "").split(":")[0])
        if lang:
            return lang
    return "fr"
