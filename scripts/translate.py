"""Fill English translations from a JSON file of {French id: English} (helper for `make messages`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "src/recours/locale/en/LC_MESSAGES/messages.po"


def main() -> None:
    pairs = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id and not message.string and message.id in pairs:
            message.string = pairs[message.id]
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, include_lineno=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(missing)} still to translate" + (f": {missing}" if missing else ""))


if __name__ == "__main__":
    main()
