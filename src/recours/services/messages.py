"""Extract the French message ids of the code and templates (for the catalogue and its test)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

# `_` everywhere; `t` is the translator bound to the command's language in the CLI.
KEYWORDS = {"_": None, "t": None, "gettext": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def extract() -> Catalog:
    package = Path(str(resources.files("recours")))
    catalog = Catalog(locale=None, project="recours", charset="utf-8")
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(package),
        METHODS,
        keywords=KEYWORDS,
        options_map={"**/templates/**.html": {"trimmed": "true"}},
    ):
        catalog.add(message, locations=[(filename, lineno)])
    return catalog
