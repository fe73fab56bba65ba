"""Docs and catalogues that must stay true to the code."""

from __future__ import annotations

import inspect
from pathlib import Path

from babel.messages.pofile import read_po

from recours import errors
from recours.services.messages import extract
from recours.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "src/recours/locale/en/LC_MESSAGES/messages.po"


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs/settings.md").read_text("utf-8")
    for name in Settings.model_fields:
        assert f"RECOURS_{name.upper()}" in doc, name


def test_every_error_class_is_in_the_documented_tree() -> None:
    tree = errors.__doc__ or ""
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.RecoursError)
    ]
    assert classes
    for cls in classes:
        assert cls.__name__ in tree, cls.__name__


def test_every_french_message_has_an_english_translation() -> None:
    with PO.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    translated = {m.id: m.string for m in catalogue if m.id}
    missing = [m.id for m in extract() if m.id and not translated.get(m.id)]
    assert missing == [], f"untranslated (run `make messages`, then translate): {missing}"


def test_the_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    head = readme[:1500]
    assert "make run" in head and "make test" in head


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci/run").read_text("utf-8")
