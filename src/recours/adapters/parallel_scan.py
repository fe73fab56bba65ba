"""Scanning the messages of a big chat for signals on two processor cores.

The scan has two parts (domain/signals.py): the gate, one pass of one RE2 automaton over all the
texts, which picks out the few where a rule may match (a few percent of a chat); then the
prefilter and safetype on those, in pure Python (about a character a microsecond). On a
200,000-message chat the second part keeps one core busy for a third of a second while the other
waits. So, after the gate, a forked copy of this process scans most of the texts kept while
this one counts what the analysis needs besides the signals (the domain reads the hits only
after, see ``analyse``), then scans the others: shared so that both end together
(``copy_share``). The copy sends its hits back through a pipe, pickled.

Only when forking is safe, no other Python thread running (a lock another thread holds at that
moment would stay held in the copy forever; numpy's BLAS keeps an idle thread of its own, which
it readies for forks and the copy never calls), and useful: two cores, and enough texts kept
(``MIN_KEPT``). So the command line forks; the web app, a threaded server, scans in its own
thread as before.

Why a fork and not a pool of workers: the copy inherits the texts and the matcher as they are
(rebuilding the matcher takes 0.6 s). Why after the gate: from the fork on, each memory page that
either process writes is first copied by the kernel (about 4 µs a page here), and the gate writes
tens of megabytes. The copy never touches the vault, writes its hits and ends with ``os._exit``
(no finaliser runs, no SQLCipher connection is closed twice). If it fails in any way, this process
scans its texts itself: the hits never depend on how they were computed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from recours.domain.signals import SignalHit, SignalMatcher

log = logging.getLogger("recours")

# Below this many texts kept by the gate, one core is done before a fork pays for itself.
# Measured (docs/benchmarks.md): a fork saves 15 ms of 0.145 s at 356 texts kept (a
# 20,000-message chat), nothing at 179, and costs 5 ms at 93.
MIN_KEPT = 250

Found = dict[int, tuple[SignalHit, ...]]


class ParallelScanner:
    """A batch scanner (``scan_many``) that uses a second core when it safely can."""

    def __init__(self, matcher: SignalMatcher, *, min_kept: int = MIN_KEPT) -> None:
        self._matcher = matcher
        self._min_kept = min_kept

    @contextlib.contextmanager
    def warming(self) -> Iterator[None]:
        """Meanwhile (the chat is being read), the matcher warms up in another thread
        (``SignalMatcher.warm_up``: 0.03 s, the first time); over when this ends, before any fork."""
        thread = threading.Thread(target=_warm_up, args=(self._matcher,), name="recours-warm-up", daemon=True)
        thread.start()
        try:
            yield
        finally:
            thread.join()

    def scan_many(self, texts: Sequence[str]) -> Mapping[int, tuple[SignalHit, ...]]:
        """``SignalMatcher.scan_many``: the same hits, by index. When a copy of the process
        scans some of the texts, the mapping waits for it on first reading."""
        kept = self._matcher.may_match(texts)
        if len(kept) < self._min_kept or not can_fork():
            return _scan(self._matcher, texts, kept)
        theirs, ours = _shared(kept, copy_share(len(texts), len(kept)))
        child = _fork_scan(self._matcher, texts, theirs)
        if child is None:
            return _scan(self._matcher, texts, kept)
        return SplitScan(self._matcher, texts, ours, theirs, child)


class SplitScan(Mapping[int, tuple[SignalHit, ...]]):
    """The hits of a scan shared with a copy of the process, gathered on first reading."""

    def __init__(
        self, matcher: SignalMatcher, texts: Sequence[str], ours: list[int], theirs: list[int], child: _Child
    ) -> None:
        self._matcher = matcher
        self._texts = texts
        self._ours = ours
        self._theirs = theirs
        self._child = child
        self._found: Found | None = None
        self.copy_failed = False  # the copy failed: this process scanned its texts again
        # Hits never read (the analysis failed meanwhile): the copy is stopped and collected.
        self._abandon = weakref.finalize(self, _abandon, child)

    def _gathered(self) -> Found:
        if self._found is None:
            found = _scan(self._matcher, self._texts, self._ours)
            self._abandon.detach()
            from_copy = _collect(self._child)
            if from_copy is None:
                self.copy_failed = True
                from_copy = _scan(self._matcher, self._texts, self._theirs)
            found.update(from_copy)
            self._found = dict(sorted(found.items()))
        return self._found

    def __getitem__(self, index: int) -> tuple[SignalHit, ...]:
        return self._gathered()[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._gathered())

    def __len__(self) -> int:
        return len(self._gathered())


def copy_share(texts: int, kept: int) -> float:
    """The share of the ``kept`` texts the copy scans, for both processes to end together:
    this one first counts all ``texts`` (what the analysis needs besides the signals)."""
    return min(0.9, 0.5 + _COUNT_SECONDS * texts / (2 * _SCAN_SECONDS * kept))


# Measured (docs/benchmarks.md): the analysis counts about 0.6 µs a message, and the scan takes
# about 100 µs a text the gate keeps.
_COUNT_SECONDS, _SCAN_SECONDS = 0.6e-6, 100e-6


def _shared(kept: list[int], share: float) -> tuple[list[int], list[int]]:
    """``kept`` split in two, ``share`` of it in the first part, spread evenly: hostile
    messages cluster (a raid is one evening), so neither part gets a whole cluster."""
    theirs: list[int] = []
    ours: list[int] = []
    for k, index in enumerate(kept):
        (theirs if int((k + 1) * share) > int(k * share) else ours).append(index)
    return theirs, ours


def _warm_up(matcher: SignalMatcher) -> None:
    try:
        matcher.warm_up()
    except Exception:  # only time is at stake: the scan builds the same when it needs it
        log.debug("warm-up failed", exc_info=True)


def can_fork() -> bool:
    """Whether forking is possible, safe (no other Python thread) and useful (two cores or more)."""
    return hasattr(os, "fork") and threading.active_count() == 1 and _cores() >= 2


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):  # the cores this process may run on (a container's)
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _scan(matcher: SignalMatcher, texts: Sequence[str], indices: list[int]) -> Found:
    """The hits of the texts at ``indices``, by their index in ``texts``."""
    return _by_index(matcher.scan_many(list(map(texts.__getitem__, indices))), indices)


def _by_index(hits: Mapping[int, tuple[SignalHit, ...]], indices: list[int]) -> Found:
    return {indices[k]: found for k, found in hits.items()}


@dataclass(frozen=True)
class _Child:
    pid: int
    hits: int  # the read end of the pipe the copy writes its hits to


def _fork_scan(matcher: SignalMatcher, texts: Sequence[str], indices: list[int]) -> _Child | None:
    """A copy of this process that scans the texts at ``indices`` and writes the hits to a pipe;
    None if no copy could be made."""
    # Taken before the fork: in the copy, reading each text object would change its reference
    # count, and the kernel would copy every memory page it is on.
    their_texts = list(map(texts.__getitem__, indices))
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the copy: whatever happens, it ends here, its status telling how
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps(_by_index(matcher.scan_many(their_texts), indices), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return _Child(pid, read_end)


def _abandon(child: _Child) -> None:
    os.close(child.hits)
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.pid, signal.SIGKILL)
    os.waitpid(child.pid, 0)


def _collect(child: _Child) -> Found | None:
    """The copy's hits, once it has ended; None if it failed."""
    with os.fdopen(child.hits, "rb") as pipe:
        data = pipe.read()  # to the end before waiting: a full pipe would block the copy
    _, status = os.waitpid(child.pid, 0)
    if status != 0 or not data:
        return None
    # The bytes come from this program's own copy, through a pipe no other process holds.
    found: Found = pickle.loads(data)  # noqa: S301
    return found
