"""Load the French signal pack (``recours/data/signals_fr.toml``) and safetype's own French pack,
validate both through the domain models, and build the matcher once per process.

As in knowledge.py: a pack that fails validation is a bug in Recours, reported as
:class:`KnowledgeError`, never shown to a user as their fault.
"""

from __future__ import annotations

import contextlib
import threading
import tomllib
from functools import lru_cache
from importlib import resources

import safetype
from pydantic import ValidationError

from recours.adapters.knowledge import broken_data_file
from recours.adapters.parallel_scan import ParallelScanner
from recours.domain.signals import SignalMatcher, SignalPack, StockPack, build_matcher

PACK_FILE = "signals_fr.toml"


@lru_cache(maxsize=1)
def load_signal_matcher() -> SignalMatcher:
    """The matcher of the French packs, built on first use."""
    pack, stock = load_signal_pack(), load_stock_pack()
    problems = pack.check_against(stock)
    if problems:
        raise broken_data_file(PACK_FILE, "; ".join(problems))
    return build_matcher(pack, stock)


def load_scanner() -> ParallelScanner:
    """The matcher, scanning a big chat on two cores when this process may fork (the command
    line; the web app's threads scan with the matcher itself: see parallel_scan.py)."""
    return ParallelScanner(load_signal_matcher())


def prepare_matcher() -> threading.Thread | None:
    """Start building the matcher in a daemon thread, unless it is built: the web app does so
    when the vault is unlocked, so that the first analysis does not wait 0.5 s for it. A
    request that asks for it meanwhile builds its own (both are the same), and a failure is
    met again, and reported, by the request that needs the matcher."""
    if load_signal_matcher.cache_info().currsize:
        return None
    thread = threading.Thread(target=_build_quietly, name="recours-matcher", daemon=True)
    thread.start()
    return thread


def _build_quietly() -> None:
    with contextlib.suppress(Exception):  # see prepare_matcher: reported where it is needed
        load_signal_matcher()


class ScannerAhead:
    """``load_scanner()``, started in another thread at once and waited for by ``get``.

    A command that analyses chats starts it before it unlocks the vault: building the matcher
    (0.5 s) then overlaps the passphrase prompt and Argon2id, which lets go of Python's lock
    (0.3 s less for `recours analyse` with the passphrase in the environment, all of it when the
    passphrase is typed). The thread is over when ``get`` returns, before any
    scan may fork (parallel_scan.py); a command that fails before leaves it behind (a daemon:
    it does not hold the process back).
    """

    def __init__(self) -> None:
        self._scanner: ParallelScanner | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._build, name="recours-matcher", daemon=True)
        self._thread.start()

    def _build(self) -> None:
        try:
            self._scanner = load_scanner()
        except BaseException as failure:  # raised again in the command's thread, by get()
            self._failure = failure

    def get(self) -> ParallelScanner:
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        assert self._scanner is not None  # noqa: S101 (set whenever _build did not fail)
        return self._scanner


@lru_cache(maxsize=1)
def load_signal_pack() -> SignalPack:
    path = resources.files("recours") / "data" / PACK_FILE
    try:
        return SignalPack.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise broken_data_file(PACK_FILE, str(exc)) from exc


def load_stock_pack() -> StockPack:
    """safetype's French pack, as the pinned library ships it (safetype/data/fr.json)."""
    try:
        stock = StockPack.model_validate(safetype.load_pack("fr"))
    except (ValueError, ValidationError) as exc:  # no pack, or a pack of another shape
        raise broken_data_file("safetype/data/fr.json", str(exc)) from exc
    return stock
