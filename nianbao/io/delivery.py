"""Archive many originals and write many receipts, spread over the worker processes.

One copy and one small workbook per unit are cheap alone and minutes for ten thousand
units; the jobs are independent files, so they run in chunks on the workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from nianbao.core.model import Submission, Unit
from nianbao.io.archive import keep_original
from nianbao.io.receipt import write_receipt
from nianbao.io.workers import BACKGROUND, available_cores, shared_workers

CHUNK = 200
MIN_PARALLEL = 2 * CHUNK
THREADS = 2  # per process: one writes while the other waits on the disk


@dataclass(frozen=True)
class Delivery:
    """Copy ``source`` to ``archive`` and write a receipt at ``receipt`` (each unless None)."""

    source: Path
    archive: Path | None
    receipt: Path | None = None
    unit: Unit | None = None
    year: int = 0
    sub: Submission | None = None
    late: bool = False


def _one(job: Delivery) -> None:
    if job.archive is not None:
        keep_original(job.source, job.archive)
    if job.receipt is not None and job.unit is not None and job.sub is not None:
        write_receipt(job.receipt, job.unit, job.year, job.sub, job.late)


def _run(jobs: Sequence[Delivery]) -> None:
    """The jobs, a few at a time: creating folders and files mostly waits on the disk."""
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(_one, jobs))


def _once(jobs: Sequence[Delivery]) -> list[Delivery]:
    """Each archive copy made by one job only (identical files share their archive path)."""
    seen: set[Path] = set()
    out = []
    for job in jobs:
        if job.archive is not None and job.archive in seen:
            job = replace(job, archive=None)
        elif job.archive is not None:
            seen.add(job.archive)
        out.append(job)
    return out


def deliver(jobs: Sequence[Delivery], workers: int = 0) -> None:
    """Run ``jobs`` (in this process when there are few, else on ``workers`` processes)."""
    jobs = _once(jobs)
    workers = workers or available_cores()
    if workers <= 1 or len(jobs) < MIN_PARALLEL:
        _run(jobs)
        return
    light = [  # a receipt needs no figures: do not send them
        replace(j, sub=replace(j.sub, values={}, texts={})) if j.sub is not None else j
        for j in jobs
    ]
    chunks = [(light[i : i + CHUNK],) for i in range(0, len(light), CHUNK)]
    shared_workers(workers, nice=BACKGROUND).map(_run, chunks)
