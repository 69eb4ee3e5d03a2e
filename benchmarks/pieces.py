"""The pieces of a rerun, timed one by one in this process (no Prefect, no workers).

On a shared folder whose cycle is already stored (for example the rerun folder
``make bench`` leaves in ``benchmarks/.cache/runs/n10000/rerun-root``), it runs what a rerun
does in the flow's process: find the files, key them, restore the stored checks, merge,
pickle the result for the store process, and write every output into a temporary folder;
then the feedback task (nothing written for a file whose feedback stands). Each piece's wall
and CPU seconds are printed, and their CPU total; ``--gc`` sets the collector's thresholds
(``default`` or ``large``: ``nianbao.io.heap``) to compare the two.

Usage: python -m benchmarks.pieces ROOT [--year 2021] [--gc default|large] [--repeat 1]
"""

from __future__ import annotations

import argparse
import gc
import pickle
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from prefect.logging import disable_run_logger

from nianbao.core.formats import format_for_year
from nianbao.io import heap
from nianbao.io.roster_file import load_roster_tree
from nianbao.settings import load_settings

T = TypeVar("T")


def timed(spent: list[float], name: str, fn: Callable[..., T], *args: Any) -> T:
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn(*args)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    spent.append(cpu)
    print(f"  {name:24s} {wall:6.2f} s wall {cpu:6.2f} CPU s", flush=True)
    return out


def pieces(root: Path, year: int) -> float:
    """Run the pieces once; their CPU seconds summed."""
    from nianbao.core.outputs import status_doc
    from nianbao.core.report.build import build_report
    from nianbao.core.unit_status import cycle_status
    from nianbao.io.docx.render import render_docx
    from nianbao.io.export import write_summary
    from nianbao.io.folder import write_json
    from nianbao.io.intake import Intake
    from nianbao.io.reuse import RunRecord
    from nianbao.io.staging import Staging
    from nianbao.io.status_book import write_status_book
    from nianbao.io.totals_file import write_totals
    from tasks.consolidate import consolidate_cycle
    from tasks.inputs import CycleInputs
    from tasks.intake import find_submissions, reuse_checks, sort_submissions
    from tasks.returns import write_feedback
    from tasks.review import load_review
    from tasks.store import load_last_year

    spent: list[float] = []
    settings = load_settings(root=root, db_url=None)
    spec, tree = format_for_year(year, None), load_roster_tree(root)
    with disable_run_logger(), tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        last = load_last_year.fn(settings.database_url, year, spec.id)
        review = load_review.fn(settings.database_url, year)
        inputs = CycleInputs(year, spec.id, tree.units, settings, last, tree.groups, review)
        found, findings = timed(spent, "find", find_submissions.fn, inputs)
        sort = timed(spent, "key files", sort_submissions.fn, inputs, found, findings)
        sort = timed(spent, "restore stored checks", reuse_checks.fn, inputs, sort)
        intake = Intake(submissions=list(sort.reused), findings=list(findings))
        result = timed(spent, "merge", consolidate_cycle.fn, inputs, intake)
        timed(spent, "pickle for the store", pickle.dumps, result, pickle.HIGHEST_PROTOCOL)
        timed(spent, "totals.json", write_totals, out / "totals.json", spec, result)
        status = timed(spent, "unit status", cycle_status, result, inputs.ledger)
        sdoc = timed(spent, "status doc", status_doc, status, settings.timezone)
        timed(spent, "status.json", write_json, out / "status.json", sdoc)
        timed(spent, "status.xlsx", write_status_book, status, out / "s.xlsx", settings.timezone)
        args = (settings.region, settings.issuer, date.today(), last.totals)
        report = timed(spent, "draft model", build_report, result, spec, *args)
        timed(spent, "draft docx", render_docx, report, out / "report.docx", None)
        timed(spent, "汇总表 xlsx + csv", write_summary, spec, result, out)
        before = RunRecord.read(settings.output_dir(year))
        staging = Staging(settings.root / "feedback")
        try:
            timed(spent, "feedback", write_feedback.fn, inputs, result, staging, before)
        finally:
            staging.discard()
    return sum(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--gc", choices=("default", "large"), default="large")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if args.gc == "large":
        heap.for_large_heaps()
    print(f"collector thresholds {gc.get_threshold()}")
    for i in range(args.repeat):
        print(f"run {i + 1}:")
        total = pieces(args.root.resolve(), args.year)
        print(f"  {'CPU s in all':24s} {total:6.2f}", flush=True)


if __name__ == "__main__":
    main()
