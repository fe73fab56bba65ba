"""Long work in the background (a dossier of a thousand items, an import of a large zip), one
job per session: a thread runs it, the page shows its step and, once done, what it produced.
With JavaScript the page asks for the step every two seconds and reloads when the job is done
(templates/job_progress.html); without it, reloading the page shows where the job is."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from recours.errors import RecoursError

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class Job(Generic[T]):
    kind: str
    step: str = ""
    result: T | None = None
    error: RecoursError | None = None
    failed: bool = False
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def running(self) -> bool:
        return self.finished is None

    def report(self, step: str) -> None:
        self.step = step


def start(kind: str, work: Callable[[Callable[[str], None]], T]) -> Job[T]:
    """Run ``work(report)`` in a thread; the job records its steps, its result or its error."""
    job: Job[T] = Job(kind)

    def run() -> None:
        try:
            job.result = work(job.report)
        except RecoursError as exc:
            job.error = exc
        except Exception:  # a bug: logged without case data, shown as a plain failure
            log.exception("background job %s failed", kind)
            job.failed = True
        finally:
            job.finished = time.monotonic()

    threading.Thread(target=run, name=f"recours-{kind}", daemon=True).start()
    return job


async def wait(job: Job[T], seconds: float) -> None:
    """Wait up to ``seconds`` for the job to end, without holding up the server's other pages."""
    deadline = time.monotonic() + seconds
    while job.running and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
