"""The scan on two cores (adapters/parallel_scan.py) finds exactly what the matcher finds, and
the analysis built on it is the same, whatever becomes of the copy of the process.

The forking checks run in a process of their own: this one may hold other threads (the
browser tests' server), and a fork is safe only with one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from recours.adapters import parallel_scan, signal_pack
from recours.adapters.parallel_scan import ParallelScanner, SplitScan
from recours.adapters.signal_pack import load_signal_matcher
from recours.errors import KnowledgeError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "signals" / "corpus_fr.toml"

# A chat of the corpus's messages (hostile and not, quotes, traps) among ordinary lines, 8 times
# over with a number so that no two are the same text; the same columns for the analysis.
CHECK = """
import json, os, sys
from datetime import datetime, timedelta
from recours.adapters import parallel_scan
from recours.adapters.signal_pack import load_signal_matcher
from recours.domain.chat.analysis import ChatColumns, analyse

texts = json.loads(sys.stdin.read())
matcher = load_signal_matcher()
parallel_scan._cores = lambda: 2  # a fork on a one-core machine too: only slower
if sys.argv[1] == "failing-copy":
    parent, real = os.getpid(), parallel_scan._by_index

    def failing(hits, indices):
        if os.getpid() != parent:
            raise MemoryError("the copy ran out of memory")
        return real(hits, indices)

    parallel_scan._by_index = failing
scanner = parallel_scan.ParallelScanner(matcher, min_kept=10)
if sys.argv[1] == "abandoned":  # never read: the copy must not outlive the mapping
    scanner.scan_many(texts)
    try:
        os.waitpid(-1, os.WNOHANG)
        print(json.dumps({"copy_left": True}))
    except ChildProcessError:  # no child left, running or ended
        print(json.dumps({"copy_left": False}))
    sys.exit()
import threading
with scanner.warming():  # as the analysis does while it reads the chat: over before the fork
    threads_while_warming = threading.active_count()
found = scanner.scan_many(texts)
gathered = dict(found)  # waits for the copy
expected = matcher.scan_many(texts)
start = datetime.fromisoformat("2026-03-01T09:00:00+01:00")
people = ["Léa", "Hugo", "Inès", None]
columns = ChatColumns(
    ["chat"] * len(texts),
    range(len(texts)),
    [(start + timedelta(minutes=7 * i)).isoformat() for i in range(len(texts))],
    [people[i % 4] for i in range(len(texts))],
    ["message" if i % 4 else "system" for i in range(len(texts))],
    texts,
)
print(json.dumps({
    "warming_thread": threads_while_warming == 2,
    "split": isinstance(found, parallel_scan.SplitScan),
    "copy_failed": getattr(found, "copy_failed", None),
    "same": gathered == expected,
    "in_order": list(found) == sorted(found),
    "hits": len(expected),
    "analysis": analyse(columns, scanner, me="Léa").as_json() == analyse(columns, matcher, me="Léa").as_json(),
}))
"""


@pytest.fixture(scope="module")
def chat() -> list[str]:
    corpus: list[dict[str, Any]] = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["message"]
    ordinary = ["on se voit demain ?", "ok", "mdr", "tu as le cours de maths", "😂😂", "bonne nuit"]
    return [f"{text} {n}" for n in range(8) for text in [m["text"] for m in corpus] + ordinary]


def run_check(texts: list[str], mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, mode],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_a_copy_of_the_process_scans_half_and_finds_the_same(chat: list[str]) -> None:
    result = run_check(chat, "fork")
    assert result == {
        "warming_thread": True,
        "split": True,
        "copy_failed": False,
        "same": True,
        "in_order": True,
        "hits": result["hits"],
        "analysis": True,
    }
    assert result["hits"] > 1_000  # enough hostile messages for both halves


def test_the_warm_up_runs_in_another_thread_which_ends_with_it(capsys: pytest.CaptureFixture[str]) -> None:
    ran_in: list[threading.Thread] = []

    class Matcher:
        def __init__(self, fails: bool) -> None:
            self.fails = fails

        def warm_up(self) -> bool:
            ran_in.append(threading.current_thread())
            if self.fails:
                raise MemoryError("no memory left for the automaton")
            return True

    for fails in (False, True):  # a failed warm-up costs time only: the scan builds it again
        with ParallelScanner(Matcher(fails)).warming():  # type: ignore[arg-type]
            pass
        assert not ran_in[-1].is_alive()
    assert len(ran_in) == 2 and threading.main_thread() not in ran_in
    assert capsys.readouterr() == ("", "")


def test_the_scanner_built_ahead_is_the_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands build it in another thread while the vault opens: ``get`` waits for it, ends
    the thread (a scan may fork only then), and raises what the build raised."""
    built = signal_pack.load_scanner()

    def slow() -> ParallelScanner:  # as when the matcher is built for the first time
        time.sleep(0.3)
        return built

    monkeypatch.setattr(signal_pack, "load_scanner", slow)
    ahead = signal_pack.ScannerAhead()
    assert ahead._thread.is_alive()  # the command goes on meanwhile
    assert ahead.get() is built
    assert not ahead._thread.is_alive()

    def broken() -> ParallelScanner:
        raise KnowledgeError("signals_fr.toml est invalide", "signals_fr.toml is invalid")

    monkeypatch.setattr(signal_pack, "load_scanner", broken)
    with pytest.raises(KnowledgeError, match="invalid"):
        signal_pack.ScannerAhead().get()


def test_the_real_matcher_warms_up() -> None:
    """Its sample matches the gate: without a match, RE2 would build nothing ahead."""
    assert load_signal_matcher().warm_up()


def test_a_copy_that_fails_leaves_its_texts_to_this_process(chat: list[str]) -> None:
    result = run_check(chat, "failing-copy")
    assert result["split"] and result["copy_failed"]
    assert result["same"] and result["in_order"] and result["analysis"]


def test_a_copy_whose_hits_are_never_read_is_stopped(chat: list[str]) -> None:
    assert run_check(chat, "abandoned") == {"copy_left": False}


def test_no_fork_beside_another_thread(chat: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock another thread holds at the fork stays held in the copy forever: the web app's
    threads scan in their own thread."""
    monkeypatch.setattr(parallel_scan, "_cores", lambda: 2)

    def fork() -> int:
        raise AssertionError("forked beside another thread")

    monkeypatch.setattr(parallel_scan.os, "fork", fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not parallel_scan.can_fork()
        found = ParallelScanner(load_signal_matcher(), min_kept=10).scan_many(chat)
    finally:
        stop.set()
        other.join()
    assert not isinstance(found, SplitScan)
    assert found == load_signal_matcher().scan_many(chat)


def test_no_fork_for_a_small_chat_or_when_none_can_be_made(
    chat: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    matcher = load_signal_matcher()
    expected = matcher.scan_many(chat)
    monkeypatch.setattr(parallel_scan, "can_fork", lambda: True)
    tried: list[int] = []

    def fork() -> int:
        tried.append(1)
        raise OSError(11, "Resource temporarily unavailable")  # too many processes: EAGAIN

    monkeypatch.setattr(parallel_scan.os, "fork", fork)
    open_files = len(os.listdir("/proc/self/fd"))
    # Too few texts kept to be worth a fork: not even tried.
    assert ParallelScanner(matcher, min_kept=len(chat) + 1).scan_many(chat) == expected
    assert not tried
    # Tried, and refused by the system: scanned here, the pipe closed again.
    found = ParallelScanner(matcher, min_kept=10).scan_many(chat)
    assert tried == [1]
    assert not isinstance(found, SplitScan)
    assert found == expected
    assert len(os.listdir("/proc/self/fd")) == open_files


@pytest.mark.parametrize(
    ("texts", "kept"), [(200_000, 2_400), (200_000, 1_000), (5_000, 4_000), (10, 10_000)]
)
def test_the_copy_s_share_lets_both_end_together(texts: int, kept: int) -> None:
    share = parallel_scan.copy_share(texts, kept)
    assert 0.5 <= share <= 0.9
    counting = parallel_scan._COUNT_SECONDS * texts
    if share < 0.9:  # this process counts, then scans the rest: as long as the copy's share
        ours = counting + parallel_scan._SCAN_SECONDS * kept * (1 - share)
        assert ours == pytest.approx(parallel_scan._SCAN_SECONDS * kept * share)


@pytest.mark.parametrize("share", [0.5, 2 / 3, 0.7, 0.9])
def test_the_texts_kept_are_shared_evenly(share: float) -> None:
    kept = list(range(0, 30_000, 3))
    theirs, ours = parallel_scan._shared(kept, share)
    assert sorted(theirs + ours) == kept
    assert len(theirs) == int(len(kept) * share)
    # Evenly: every run of 100 texts kept (a cluster) goes to both in about that share.
    for start in range(0, len(kept), 100):
        run = set(kept[start : start + 100])
        assert abs(len(run.intersection(theirs)) - 100 * share) <= 1
