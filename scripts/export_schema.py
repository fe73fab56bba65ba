"""Write schema/*.json from the pydantic models (``make schema``)."""

from __future__ import annotations

import json
from pathlib import Path

from recours.services.schema import json_schemas

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    for name, schema in json_schemas().items():
        target = ROOT / "schema" / name
        target.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
