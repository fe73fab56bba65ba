"""Run every fuzz target under atheris, each in its own process (issue 6).

    python -m tests.fuzz.run_all --smoke          # a few thousand executions per target (< 30 s)
    python -m tests.fuzz.run_all --deep           # 1,000,000 executions or 30 minutes per target
    python -m tests.fuzz.run_all --runs N --max-time S [--jobs J] [TARGET ...]

Each target starts from its seeds (written to a temporary folder, with the corpus it grows: the
repository is not touched), with a limit of 1 s per input (``-timeout=1``: a slower input is a
hang). A crash or a hang saves the input as ``tests/fuzz/crashes/<target>-crash-<sha1>`` (or
``-timeout-``) and makes the run fail. One line per target: executions, executions/s, result.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.targets import TARGETS, write_seeds

ROOT = Path(__file__).resolve().parents[2]
CRASHES = Path(__file__).resolve().parent / "crashes"
SMOKE_RUNS, SMOKE_TIME = 2_000, 20
DEEP_RUNS, DEEP_TIME = 1_000_000, 30 * 60
PER_INPUT_TIMEOUT = 1  # seconds


@dataclass(frozen=True)
class Outcome:
    target: str
    ok: bool
    executions: int
    seconds: float
    artifacts: list[str]
    tail: str

    @property
    def rate(self) -> float:
        return self.executions / self.seconds if self.seconds else 0.0


def _saved(target: str) -> set[Path]:
    return {p for p in CRASHES.iterdir() if p.name.startswith(target + "-")}


def run_target(target: str, runs: int, max_time: int, seed: int, work: Path) -> Outcome:
    seeds, corpus = work / target / "seeds", work / target / "corpus"
    write_seeds(target, seeds)
    corpus.mkdir(parents=True)
    CRASHES.mkdir(exist_ok=True)
    before = _saved(target)
    # The inputs that crashed this target before are replayed first: a fix is checked by every run.
    for known in before:
        (seeds / known.name).write_bytes(known.read_bytes())
    command = [
        sys.executable, "-m", "tests.fuzz.harness", target,
        f"-runs={runs}", f"-max_total_time={max_time}", f"-timeout={PER_INPUT_TIMEOUT}",
        "-print_final_stats=1", f"-artifact_prefix={CRASHES}/{target}-", "-rss_limit_mb=2048", f"-seed={seed}",
        str(corpus), str(seeds),
    ]  # fmt: skip
    log = work / f"{target}.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        done = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    wall = time.monotonic() - started
    text = log.read_text(errors="replace")
    executed = re.search(r"stat::number_of_executed_units:\s*(\d+)", text)
    # libFuzzer's own "Done N runs in S second(s)" leaves out the start (imports, seeds).
    timing = re.search(r"Done (\d+) runs in (\d+) second", text)
    executions = int(executed.group(1)) if executed else 0
    seconds = max(float(timing.group(2)), 1.0) if timing and int(timing.group(2)) >= 5 else wall
    artifacts = sorted(str(p.relative_to(ROOT)) for p in _saved(target) - before)
    if done.returncode != 0 and not artifacts:
        artifacts = sorted(str(p.relative_to(ROOT)) for p in before)  # a known crash, replayed
    ok = done.returncode == 0 and not artifacts
    return Outcome(target, ok, executions, seconds, artifacts, "\n".join(text.splitlines()[-40:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--smoke", action="store_true", help=f"{SMOKE_RUNS} executions per target")
    mode.add_argument(
        "--deep", action="store_true", help=f"{DEEP_RUNS} executions or {DEEP_TIME} s per target"
    )
    parser.add_argument("--runs", type=int, default=SMOKE_RUNS)
    parser.add_argument("--max-time", type=int, default=SMOKE_TIME, help="seconds per target")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="targets run at once")
    parser.add_argument("--seed", type=int, default=0, help="libFuzzer's random seed (0: a new one each run)")
    parser.add_argument("targets", nargs="*", choices=[*TARGETS, []], metavar="TARGET")
    options = parser.parse_args(argv)
    runs, max_time = options.runs, options.max_time
    if options.deep:
        runs, max_time = DEEP_RUNS, DEEP_TIME
    elif options.smoke:
        runs, max_time = SMOKE_RUNS, SMOKE_TIME
        options.seed = options.seed or 1  # the same inputs each time: a smoke test that is stable
    chosen = options.targets or list(TARGETS)
    print(f"fuzzing {len(chosen)} targets: {runs:,} executions or {max_time} s each, "
          f"{PER_INPUT_TIMEOUT} s per input, {options.jobs} at once", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="recours-fuzz-") as folder:
        work = Path(folder)
        with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            outcomes = list(pool.map(lambda t: run_target(t, runs, max_time, options.seed, work), chosen))
    failed = [o for o in outcomes if not o.ok]
    for o in outcomes:
        result = "ok" if o.ok else "FAILED " + (", ".join(o.artifacts) or "(see the log below)")
        print(f"{o.target:13} {o.executions:>10,} executions {o.seconds:8.1f} s {o.rate:8,.0f}/s  {result}")
    for o in failed:
        print(f"\n--- {o.target} ---\n{o.tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
