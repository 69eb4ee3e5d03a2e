"""Benchmark (not a test): how long a unit waits for its feedback after saving.

The README's operations set-up: a real ``prefect server`` (PostgreSQL when
NIANBAO_TEST_PREFECT_PG_URL is set, else SQLite), ``nianbao serve`` and ``nianbao watch``
with their defaults, on a shared folder of N units whose returns are already accepted (the
cached workbooks of ``benchmarks.workbooks``, linked into a fresh inbox, then one
``nianbao run``). One unit then saves its workbook three times, ``--gap`` (20) seconds
apart, each written outside the inbox and moved in, as Excel saves: first with a negative
count (退回修改), then corrected, then with one figure changed. Printed: the seconds from each
file's arrival in the inbox to its feedback file in ``feedback/<code>/``, their median and
maximum, and the load average.

"before" runs the same on the code the issue measured (``--before-ref``, extracted with
``git archive`` into a temporary folder and run with this interpreter), where the feedback
comes from the debounced consolidation.

Usage: python -m benchmarks.latency [--n 1000,10000] [--before-n 1000] [--gap 20] [--no-before]
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from benchmarks.flow_run import clear_runs, run_cycle, warm_env
from benchmarks.workbooks import CACHE, PROTO, WorkbookSet, workbook_set
from benchmarks.xlsx_patch import Patcher
from nianbao.core.model import Status
from nianbao.core.process import process_workbook
from nianbao.core.spec import CellType
from nianbao.io.xlsx_read import read_workbook
from tests.conftest import REPO
from tests.e2e.prefect_server import (
    Proc,
    Server,
    deployment_id,
    nianbao_process,
    prefect_server,
    wait_for,
)

RUNS = CACHE.parent / "latency"
BEFORE_REF = "283ee25"  # main when issue 16 was filed: feedback from the debounced run
TIMEOUT = 240.0  # seconds a save's feedback is waited for
SAVES = 3


@dataclass
class Save:
    """One save: when it arrived in the inbox and when its feedback file appeared."""

    sha256: str
    arrived: float
    answered: float | None = None
    verdict: str = ""

    @property
    def seconds(self) -> float | None:
        return None if self.answered is None else self.answered - self.arrived


@dataclass
class Case:
    n: int
    code: str  # "after" or "before"
    saves: list[Save] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start and at end


def linked_root(wset: WorkbookSet, root: Path) -> Path:
    """A shared folder whose inbox holds hard links to the cached workbooks (a save replaces
    a link by a new file: the cache is never written)."""
    root.mkdir(parents=True)
    for name in ("roster.csv", "nianbao.toml"):
        shutil.copy(wset.root / name, root / name)
    for unit, path in zip(wset.roster, wset.files, strict=True):
        folder = root / "inbox" / unit.code
        folder.mkdir(parents=True)
        os.link(path, folder / path.name)
    return root


def unit_inputs(wset: WorkbookSet, index: int) -> dict[str, Decimal]:
    """One unit's input figures, read back from its cached workbook."""
    unit, path = wset.roster[index], wset.files[index]
    raw = read_workbook(path, unit.code, f"{unit.code}/{path.name}")
    sub = process_workbook(raw, wset.spec, wset.year, {unit.code: unit})
    assert sub.status is Status.ACCEPTED, sub.findings
    return {c: sub.values[c] for c in wset.spec.inputs}


def three_saves(wset: WorkbookSet, index: int) -> list[dict[str, Decimal]]:
    """A slip (a negative count: rejected), the correction, then that figure changed again;
    none the bytes already accepted (whose receipt exists)."""
    good = unit_inputs(wset, index)
    count = next(c for c in wset.spec.inputs if wset.spec.cell[c].type is CellType.COUNT)
    return [{**good, count: Decimal(value)} for value in (-1, good[count] + 1, good[count] + 2)]


def watch_for(folder: Path, year: int, save: Save) -> None:
    """Poll ``folder`` until the feedback file of ``save`` is there (or ``TIMEOUT``)."""
    names = {f"{year}年-{save.sha256[:12]}-{kind}.xlsx": kind for kind in ("退回修改", "回执")}
    while time.time() - save.arrived < TIMEOUT:
        with os.scandir(folder) as entries:
            hit = next((names[e.name] for e in entries if e.name in names), None)
        if hit:
            save.answered, save.verdict = time.time(), hit
            return
        time.sleep(0.05)


def saves_of_one_unit(
    wset: WorkbookSet, root: Path, work: Path, gap: float, case: Case
) -> list[threading.Thread]:
    """The unit in the middle of the roster saves ``SAVES`` times, ``gap`` seconds apart."""
    index = len(wset.roster) // 2
    unit, target = wset.roster[index], root / "inbox" / wset.roster[index].code
    target = target / wset.files[index].name
    patcher = Patcher(wset.spec, wset.root / "prototype.xlsx", PROTO.code, PROTO.name)
    folder = root / "feedback" / unit.code
    observers = []
    for i, figures in enumerate(three_saves(wset, index)):
        outside = work / f"save{i + 1}.xlsx"  # Excel writes a temporary file, then renames
        patcher.write(outside, unit.code, unit.name, figures, time.time())
        sha = hashlib.sha256(outside.read_bytes()).hexdigest()
        os.replace(outside, target)
        save = Save(sha, time.time())
        case.saves.append(save)
        observer = threading.Thread(target=watch_for, args=(folder, wset.year, save))
        observer.start()
        observers.append(observer)
        print(f"  save {i + 1} moved into the inbox ({sha[:12]})", flush=True)
        if i + 1 < SAVES:
            time.sleep(gap - (time.time() - save.arrived))
    return observers


def before_checkout(ref: str, into: Path) -> Path:
    """The code at ``ref``, extracted (no git state changed) and byte-compiled."""
    archive = subprocess.run(["git", "archive", ref], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    compileall.compile_dir(into, quiet=1)
    return into


def measure(n: int, code: str, args: argparse.Namespace, server: Server, src: Path) -> Case:
    wset = workbook_set(n, args.year, args.seed)
    base = RUNS / f"n{n}-{code}"
    root = linked_root(wset, (base / "root").resolve())
    (base / "excel").mkdir()
    extra = {"PYTHONPATH": str(src)} if src != REPO else {}
    env = {**warm_env(server, base / "run-home", base / "run-state"), **extra}
    start = time.perf_counter()
    run = run_cycle(wset, root, env, base / "run.log")  # every unit accepted
    if run.returncode != 0:
        raise SystemExit(f"nianbao run failed ({run.returncode}), see {run.log}")
    print(f"N={n} {code}: {n} units accepted in {time.perf_counter() - start:.1f} s", flush=True)
    procs: list[Proc] = []
    try:
        serve = nianbao_process(server, f"serve-{code}-{n}", ["serve", "--root", str(root)],
                                base, extra, src)  # fmt: skip
        procs.append(serve)
        args_watch = ["watch", "--root", str(root), "--year", str(wset.year)]
        watcher = nianbao_process(server, f"watch-{code}-{n}", args_watch, base, extra, src)
        procs.append(watcher)
        with server.client() as client:
            deployment_id(client, "nianbao-annual-cycle", "nianbao-annual-cycle", serve)
        wait_for(lambda: "开始监视" in watcher.output(), 180, "the watcher to start")
        time.sleep(args.gap)  # the watcher's first listings, and nothing else running
        case = Case(n, code, load=(os.getloadavg()[0], 0.0))
        for observer in saves_of_one_unit(wset, root, base / "excel", args.gap, case):
            observer.join()
        case.load = (case.load[0], os.getloadavg()[0])
    finally:
        for proc in reversed(procs):
            proc.stop()
    for i, save in enumerate(case.saves, start=1):
        took = f"{save.seconds:.1f} s ({save.verdict})" if save.seconds else "none"
        print(f"N={n} {code}: save {i} -> feedback {took}", flush=True)
    return case


def summary(case: Case) -> str:
    got = [s.seconds for s in case.saves if s.seconds is not None]
    each = " / ".join(f"{s.seconds:.1f}" if s.seconds else "none" for s in case.saves)
    missing = len(case.saves) - len(got)
    med = f"{statistics.median(got):.1f}" if got else "-"
    top = f"{max(got):.1f}" if got else "-"
    note = f" ({missing} never answered within {TIMEOUT:.0f} s)" if missing else ""
    return (
        f"| {case.n:,} | {case.code} | {each} | {med} | {top}{note} "
        f"| {case.load[0]:.1f} -> {case.load[1]:.1f} |"
    )


def targets(cases: list[Case]) -> list[str]:
    out = []
    for case in cases:
        if case.code != "after":
            continue
        got = [s.seconds for s in case.saves if s.seconds is not None]
        ok = len(got) == len(case.saves) and statistics.median(got) <= 10 and max(got) <= 15
        med = statistics.median(got) if got else float("nan")
        top = max(got) if got else float("nan")
        verdict = "met" if ok else "NOT met"
        out.append(f"N={case.n:,}: median {med:.1f} s <= 10, max {top:.1f} s <= 15 -> {verdict}")
    return out


def _sizes(text: str) -> list[int]:
    return sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="1000,10000", help="comma-separated numbers of units")
    parser.add_argument("--gap", type=float, default=20.0, help="seconds between the saves")
    parser.add_argument("--year", type=int, default=2021, help="report year (its format)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--before-ref", default=BEFORE_REF, help="the code measured as before")
    parser.add_argument("--before-n", help="sizes measured on the before code (default --n)")
    parser.add_argument("--no-before", action="store_true", help="measure this code only")
    args = parser.parse_args()
    sizes = _sizes(args.n)
    before_sizes = [] if args.no_before else _sizes(args.before_n or args.n)
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores; load average {os.getloadavg()[0]:.2f}; sizes {sizes}", flush=True)
    clear_runs(RUNS)
    for n in sorted({*sizes, *before_sizes}):
        workbook_set(n, args.year, args.seed)
    work = Path(tempfile.mkdtemp(prefix="latency-"))
    runs = [("after", REPO, sizes)]
    if before_sizes:
        src = before_checkout(args.before_ref, Path(tempfile.mkdtemp(dir=work)))
        runs.append(("before", src, before_sizes))
    cases = []
    try:
        with prefect_server(work / "server") as server:
            print(f"Prefect server on {server.url} ({server.database})", flush=True)
            for code, src, ns in runs:
                cases += [measure(n, code, args, server, src) for n in ns]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"Seconds from a save's arrival in the inbox to its feedback file ({SAVES} saves,")
    print(f"{args.gap:g} s apart; before = {args.before_ref}). {cores} cores.")
    print("| N | code | save 1 / 2 / 3 s | median s | max s | load average (1 min) |")
    print("|---|---|---|---|---|---|")
    for case in cases:
        print(summary(case))
    for line in targets(cases):
        print(line)


if __name__ == "__main__":
    main()
