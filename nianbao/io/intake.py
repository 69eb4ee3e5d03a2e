"""Read and validate a batch of workbooks, spread over worker processes on the machine's cores.

The work per file (calamine parse, extraction, validation) is CPU-bound Python, so threads do
not help; the batch is cut into chunks that worker processes read and validate, each chunk's
figures checked together by the identity engine. Workers are clean interpreters
(``nianbao.io.workers``), never a fork of a multi-threaded parent. Results come back in the
batch's order and are the same as reading the files one by one.

Each file is handled inside a per-unit guard (``nianbao.io.guard``): a file that is refused
(a link, too large, still being written) or that fails in any way becomes a finding on its
unit and is not a submission this run; the batch goes on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from nianbao.core.chunks import chunked
from nianbao.core.findings import Finding
from nianbao.core.formats import FORMATS
from nianbao.core.model import RawWorkbook, Submission, Unit
from nianbao.core.process import process_batch, process_workbook
from nianbao.core.spec import FormatSpec
from nianbao.io.bounds import ReadBounds
from nianbao.io.folder import Arrival, open_arrival
from nianbao.io.guard import UnitGuard, is_run_fault
from nianbao.io.workers import available_cores, shared_workers
from nianbao.io.xlsx_read import parse_workbook, read_open_file, received, sheets_for

if TYPE_CHECKING:  # workers import this module: no settings (pydantic) there
    from nianbao.settings import Settings

CHUNK = 50  # files per job sent to a worker
# Smaller batches are read in this process: a worker costs ~0.3 CPU s to start (its
# imports), a file ~2 ms to read and check, so on two cores workers pay from ~300 files.
MIN_PARALLEL = 300


@dataclass(frozen=True)
class Intake:
    """What a batch gave: the submissions read and the findings on files that were not;
    for a whole cycle also which submissions (unit, sha256) were rebuilt from stored checks."""

    submissions: list[Submission] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    restored: frozenset[tuple[str, str]] = frozenset()


def read_arrival(
    inbox: Path,
    arrival: Arrival,
    bounds: ReadBounds,
    sheets: frozenset[str],
    archive: Path | None = None,
) -> RawWorkbook:
    """Open ``arrival`` without following links, read it once within ``bounds`` and parse
    those bytes (archiving them when ``archive`` is given). Raises ``Refused`` or the
    error met; ``UnitGuard`` turns either into a finding."""
    fd = open_arrival(inbox, arrival)
    try:
        data, st = read_open_file(fd, arrival.display, bounds, arrival.signature)
    finally:
        os.close(fd)
    return parse_workbook(
        data,
        received(st),
        arrival.unit,
        arrival.display,
        arrival.path,
        archive=archive,
        bounds=bounds,
        sheets=sheets,
    )


def _validate(
    raws: Sequence[RawWorkbook],
    spec: FormatSpec,
    year: int,
    units: dict[str, Unit],
    max_findings: int,
    last: Mapping[str, Mapping[str, Decimal]],
    guard: UnitGuard,
) -> list[Submission]:
    """The batch checked together; should that fail, each workbook alone, under the guard."""
    try:
        return process_batch(raws, spec, year, units, max_findings, last)
    except Exception as exc:
        if is_run_fault(exc):
            raise
    out = []
    for raw in raws:
        with guard.unit(raw.unit_folder, raw.file, "校验"):
            out.append(
                process_workbook(raw, spec, year, units, max_findings, last.get(raw.unit_folder))
            )
    return out


@dataclass(frozen=True)
class Reading:
    """What every file of a run is read and checked with: the inbox, the registered format
    (by id) and report year, the roster's units by code, the findings cap, the archive the
    bytes read are kept in (None: not kept) and the size bounds."""

    inbox: Path
    format_id: str
    year: int
    units: Mapping[str, Unit]
    max_findings: int
    archive: Path | None = None
    bounds: ReadBounds = field(default_factory=ReadBounds)

    @staticmethod
    def of(settings: Settings, format_id: str, year: int, units: Mapping[str, Unit]) -> Reading:
        """The reading of a run with these settings (inbox, findings cap, archive, bounds)."""
        s = settings
        return Reading(s.inbox, format_id, year, units, s.max_findings, s.archive, s.read_bounds)

    def key(self) -> int:
        """Identity of the whole (``units`` is a mapping: hashed by its items)."""
        units = tuple(self.units.items())
        shared = (self.inbox, self.format_id, self.year, self.max_findings, self.archive)
        return hash((*shared, units, self.bounds))


def read_and_check(
    reading: Reading, items: Sequence[Arrival], last: Mapping[str, Mapping[str, Decimal]]
) -> Intake:
    """Read the files (archiving them when ``reading.archive`` is set) and validate them
    together (one process); ``last``: the units' figures of last year."""
    spec = FORMATS[reading.format_id]
    sheets = sheets_for(spec)
    guard = UnitGuard()
    raws = []
    for arrival in items:
        with guard.unit(arrival.unit, arrival.display, "读取"):
            raws.append(
                read_arrival(reading.inbox, arrival, reading.bounds, sheets, reading.archive)
            )
    units = dict(reading.units)
    subs = _validate(raws, spec, reading.year, units, reading.max_findings, last, guard)
    return Intake(subs, guard.findings)


_SHARED: list[Reading] = []  # in a worker: what every job of its batch is read with


def _start_worker(reading: Reading) -> None:
    _SHARED[:] = [reading]


def _job(items: Sequence[Arrival], last: Mapping[str, Mapping[str, Decimal]]) -> Intake:
    return read_and_check(_SHARED[0], items, last)


def read_batch(
    reading: Reading,
    items: Sequence[Arrival],
    last: Mapping[str, Mapping[str, Decimal]],
    workers: int = 0,
) -> Intake:
    """``read_and_check`` with ``workers`` processes (0: one per core). Workers get the
    format's id and take the spec from their own registry."""
    workers = workers or available_cores()
    if workers <= 1 or len(items) < MIN_PARALLEL:
        return read_and_check(reading, items, last)
    jobs = [
        (chunk, {a.unit: last[a.unit] for a in chunk if a.unit in last})
        for chunk in chunked(items, CHUNK)
    ]
    results = shared_workers(workers).map(
        _job, jobs, setup=(reading.key(), _start_worker, (reading,))
    )
    return Intake(
        [sub for part in results for sub in part.submissions],
        [f for part in results for f in part.findings],
    )
