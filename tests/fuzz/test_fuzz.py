"""The fuzz harnesses (issue 6): a smoke run of each in the normal suite, the long run in
``make test-deep``. atheris is a test dependency (pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.run_all import DEEP_RUNS, DEEP_TIME, SMOKE_RUNS, SMOKE_TIME, main, run_target
from tests.fuzz.targets import TARGETS

CRASHES = Path(__file__).resolve().parent / "crashes"


@pytest.mark.parametrize("saved", sorted(CRASHES.glob("*-crash-*")), ids=lambda p: p.name[:24])
def test_every_input_that_once_crashed_a_reader_is_now_read_or_refused(saved: Path) -> None:
    """Inputs the fuzzer found (kept in tests/fuzz/crashes/): each reader now returns records or
    its typed error, like for any file (without atheris: they are plain regression tests)."""
    TARGETS[saved.name.split("-crash-")[0]].one_input(saved.read_bytes())


@pytest.mark.parametrize("target", list(TARGETS))
def test_each_harness_runs_a_few_thousand_inputs_without_a_crash(target: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    outcome = run_target(target, SMOKE_RUNS, SMOKE_TIME, 1, tmp_path)
    assert outcome.ok, outcome.tail
    assert outcome.executions >= SMOKE_RUNS


@pytest.mark.deep
def test_every_reader_survives_a_million_inputs_or_half_an_hour() -> None:
    import atheris  # noqa: F401  (the deep run fails, not skips, without it)

    assert main(["--runs", str(DEEP_RUNS), "--max-time", str(DEEP_TIME)]) == 0
