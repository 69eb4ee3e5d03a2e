"""Write many receipts, spread over the worker processes.

One small workbook per unit is cheap alone and minutes for ten thousand units; the jobs
are independent files, so they run in chunks on the workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from nianbao.core.chunks import chunked
from nianbao.core.clock import DEFAULT_TIMEZONE
from nianbao.core.findings import Finding
from nianbao.core.model import Submission, Unit
from nianbao.io.guard import UnitGuard
from nianbao.io.receipt import write_receipt
from nianbao.io.workers import BACKGROUND, available_cores, shared_workers

CHUNK = 200
MIN_PARALLEL = 2 * CHUNK
THREADS = 2  # per process: one writes while the other waits on the disk


@dataclass(frozen=True)
class Delivery:
    """A receipt to write at ``receipt`` for ``unit``'s accepted ``sub``."""

    receipt: Path
    unit: Unit
    year: int
    sub: Submission
    late: bool = False
    tz: str = DEFAULT_TIMEZONE  # the office's time zone, for the received time
    review: tuple[tuple[str, str], ...] = ()  # the office's review rows
    held: str = ""  # the notice on a file received after finalization


def _run(jobs: Sequence[Delivery]) -> list[Finding]:
    """The jobs, a few at a time (creating folders and files mostly waits on the disk),
    each under a per-unit guard: the findings of those that failed."""
    guard = UnitGuard()

    def one(job: Delivery) -> None:
        with guard.unit(job.sub.unit, job.sub.file, "生成回执"):
            write_receipt(
                job.receipt, job.unit, job.year, job.sub, job.late, job.tz, job.review, job.held
            )

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, jobs))
    return guard.findings


def deliver(jobs: Sequence[Delivery], workers: int = 0) -> list[Finding]:
    """Run ``jobs`` (in this process when there are few, else on ``workers`` processes);
    returns a finding for each unit whose receipt could not be written."""
    workers = workers or available_cores()
    if workers <= 1 or len(jobs) < MIN_PARALLEL:
        return _run(jobs)
    light = [replace(j, sub=replace(j.sub, values={}, texts={})) for j in jobs]  # no figures
    chunks = [(chunk,) for chunk in chunked(light, CHUNK)]
    results = shared_workers(workers, nice=BACKGROUND).map(_run, chunks)
    return [f for part in results for f in part]
