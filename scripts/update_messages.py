"""Merge newly extracted French message ids into the English catalogue (``make messages``).

Existing translations are kept; new ids get an empty translation to fill in by hand, and a
test fails until every id is translated.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

from recours.services.messages import extract

PO = Path(__file__).resolve().parent.parent / "src/recours/locale/en/LC_MESSAGES/messages.po"


def main() -> None:
    template = extract()
    if PO.exists():
        with PO.open("rb") as handle:
            catalog = read_po(handle, locale="en")
        catalog.update(template, no_fuzzy_matching=True)
    else:
        PO.parent.mkdir(parents=True, exist_ok=True)
        catalog = template
        catalog.locale = "en"  # type: ignore[assignment]
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{PO.name}: {len(catalog)} messages, {len(missing)} to translate")


if __name__ == "__main__":
    main()
