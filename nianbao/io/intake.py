"""Read and validate a batch of workbooks, spread over worker processes on the machine's cores.

The work per file (calamine parse, extraction, validation) is CPU-bound Python, so threads do
not help; the batch is cut into chunks that worker processes read and validate, each chunk's
figures checked together by the identity engine. Workers come from a ``forkserver`` (a clean
process that has imported only this module), never from a fork of a multi-threaded parent.
Results come back in the batch's order and are the same as reading the files one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from nianbao.core.formats import FORMATS
from nianbao.core.model import Submission, Unit
from nianbao.core.process import process_batch
from nianbao.core.spec import FormatSpec
from nianbao.io.workers import available_cores, shared_workers
from nianbao.io.xlsx_read import read_workbook

CHUNK = 50  # files per job sent to a worker
MIN_PARALLEL = 2 * CHUNK  # smaller batches are read in this process

Item = tuple[str, Path, str]  # (unit code, path, display name relative to the inbox)


def read_and_check(
    items: Sequence[Item],
    spec: FormatSpec,
    year: int,
    units: Mapping[str, Unit],
    max_findings: int,
    last: Mapping[str, Mapping[str, Decimal]],
    archive: Path | None = None,
) -> list[Submission]:
    """Read the files (archiving them into ``archive`` when given) and validate them
    together (one process)."""
    known = FORMATS.get(spec.id)
    if known is not None and known is not spec and known == spec:
        spec = known  # the module's own object: cached layouts and engine plans apply
    raws = [read_workbook(path, code, display, archive) for code, path, display in items]
    return process_batch(raws, spec, year, dict(units), max_findings, last)


_SHARED: dict[str, object] = {}  # in a worker: what every job of its batch shares


def _start_worker(
    spec: FormatSpec,
    year: int,
    units: Mapping[str, Unit],
    max_findings: int,
    archive: Path | None,
) -> None:
    _SHARED.clear()
    _SHARED.update(spec=spec, year=year, units=units, max_findings=max_findings, archive=archive)


def _job(items: Sequence[Item], last: Mapping[str, Mapping[str, Decimal]]) -> list[Submission]:
    return read_and_check(items, last=last, **_SHARED)  # type: ignore[arg-type]


def read_batch(
    items: Sequence[Item],
    spec: FormatSpec,
    year: int,
    units: Mapping[str, Unit],
    max_findings: int,
    last: Mapping[str, Mapping[str, Decimal]],
    workers: int = 0,
    archive: Path | None = None,
) -> list[Submission]:
    """Read (and archive) and validate ``items`` with ``workers`` processes (0: one per
    core)."""
    workers = workers or available_cores()
    if workers <= 1 or len(items) < MIN_PARALLEL:
        return read_and_check(items, spec, year, units, max_findings, last, archive)
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    shared = (spec, year, dict(units), max_findings, archive)
    key = hash((spec, year, max_findings, tuple(units.items()), archive))
    jobs = [(chunk, {c: last[c] for c, _, _ in chunk if c in last}) for chunk in chunks]
    pool = shared_workers(workers)
    results = pool.map(_job, jobs, setup=(key, _start_worker, shared))
    return [sub for chunk in results for sub in chunk]
