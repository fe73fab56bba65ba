"""``make bench``: performance figures of Recours (written up in docs/benchmarks.md).

Issue 2 names no figure; this measures what a user waits for in orientation, so later
changes can be compared. Chat-import figures against the peers come with issue 4.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from recours.adapters.knowledge import load_knowledge
from recours.domain.orientation import orient
from recours.domain.situation import Situation
from recours.services.directory import list_resources

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))


def timed(label: str, repeat: int, work: object) -> None:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<48} median {statistics.median(samples) * 1000:8.3f} ms   p95 {p95 * 1000:8.3f} ms")


def main() -> None:
    start = time.perf_counter()
    load_knowledge.cache_clear()
    knowledge = load_knowledge()
    print(f"{'load and validate all data files (cold)':<48} {(time.perf_counter() - start) * 1000:8.1f} ms")
    scenarios = json.loads((ROOT / "tests/scenarios/orientation.json").read_text("utf-8"))["scenarios"]
    situations = [Situation.model_validate_json(json.dumps(s["answers"])) for s in scenarios]

    def orient_all() -> None:
        for situation in situations:
            orient(situation, knowledge.rules, knowledge.directory, NOW)

    timed(f"orient the {len(situations)} public scenarios", 50, orient_all)
    timed(
        "directory with open/closed states (28 entries)", 50, lambda: list_resources(knowledge.directory, NOW)
    )


if __name__ == "__main__":
    main()
