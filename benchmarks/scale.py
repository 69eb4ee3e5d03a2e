"""Benchmark (not a test): nianbao at province scale against the floor and the naive script.

For each N: generate (or reuse) N valid unit workbooks, then time on the same files
  (a) the floor: python-calamine reading every value of every workbook (from the page
      cache, as (c) reads; timed just before and just after (c), the mean is used);
  (b) the naive script: pandas.read_excel (openpyxl) per file, sum, to_sql into SQLite —
      on at most --naive-limit files, extrapolated linearly beyond (marked "~");
  (c) ``nianbao run`` end to end against a Prefect server started here on 127.0.0.1 (warmed
      by one run first), and, separately, cold: the embedded default (temporary server,
      fresh PREFECT_HOME);
  reruns on the warm server: nothing changed, then one unit's file corrected
      (``benchmarks.rerun``); and once, the seed's demo and its second run on the embedded
      default, with the local server kept between runs and with a temporary one per run.
Prints wall seconds, ms per workbook, c/a and b/c, peak RSS, Prefect task runs per flow run.

Usage: python -m benchmarks.scale [--n 10000] [--only] [--year 2021] [--seed 8]
(N = 100 and 1,000 always, plus the --n sizes; --only: just the --n sizes)
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.baselines import floor, naive
from benchmarks.flow_run import (
    RunResult,
    clear_runs,
    cold_env,
    fresh_root,
    run_cycle,
    task_durations,
    task_runs,
    timeline,
    warm_env,
)
from benchmarks.rerun import Timed, rerun_figures, seed_figures
from benchmarks.workbooks import CACHE, WorkbookSet, workbook_set
from nianbao.core.layout import layouts
from tests.e2e.prefect_server import Server, prefect_server

RUNS = CACHE.parent / "runs"


@dataclass
class Row:
    n: int
    a: float
    b: float
    b_extrapolated: bool
    c: float
    rss: float
    tree: float
    cpu: float
    tasks: int
    state: str
    cold: float | None
    load: float
    reruns: list[Timed]


def load() -> float:
    return os.getloadavg()[0]


def preload(files: list[Path]) -> None:
    """Read every file once, so that no timed reader waits on the disk."""
    for path in files:
        path.read_bytes()


def measure(n: int, args: argparse.Namespace, server: Server) -> Row:
    wset = workbook_set(n, args.year, args.seed)
    files = wset.files
    subset = files[: min(n, args.naive_limit)]
    with tempfile.TemporaryDirectory() as tmp:
        b = naive(subset, [lay.sheet for lay in layouts(wset.spec)], Path(tmp) / "naive.db")
    b_extrapolated = len(subset) < n
    b *= n / len(subset)
    print(f"N={n}: (b) naive {'~' if b_extrapolated else ''}{b:.1f} s", flush=True)
    preload(files)  # (a) and (c) both read from the page cache
    a_before, values = floor(files)
    print(f"N={n}: (a) floor {a_before:.2f} s ({values:,} values)", flush=True)
    base = RUNS / f"n{n}"  # RUNS is emptied when the benchmark starts
    at = load()
    warm = first_run(wset, base, server)
    state, tasks = task_runs(server)
    print(
        f"N={n}: (c) nianbao run {warm.seconds:.2f} s ({warm.cpu:.1f} CPU s with its workers),"
        f" {tasks} task runs, {state}",
        flush=True,
    )
    spent = ", ".join(f"{k} {v:.1f} s" for k, v in task_durations(server).items())
    print(f"N={n}: (c) time in the flow run and its tasks: {spent}", flush=True)
    for name, start, end in timeline(server):
        print(f"N={n}: (c)   {start:6.1f} – {end:6.1f} s  {end - start:5.1f} s  {name}", flush=True)
    a_after, _ = floor(files)
    a = (a_before + a_after) / 2  # the machine's speed drifts: (a) on both sides of (c)
    print(f"N={n}: (a) floor again {a_after:.2f} s; (a) = mean {a:.2f} s", flush=True)
    cold = None
    if not args.no_cold:
        run = run_cycle(
            wset,
            fresh_root(wset, base / "cold-root"),
            cold_env(base / "cold-home", base / "cold-state"),
            base / "cold.log",
        )
        if run.returncode != 0:
            raise SystemExit(f"cold nianbao run failed ({run.returncode}), see {run.log}")
        cold = run.seconds
        print(f"N={n}: (c) cold, temporary server {cold:.2f} s", flush=True)
    reruns = rerun_figures(wset, base, server)
    return Row(
        n,
        a,
        b,
        b_extrapolated,
        warm.seconds,
        warm.rss_mb,
        warm.tree_mb,
        warm.cpu,
        tasks,
        state,
        cold,
        at,
        reruns,
    )


def first_run(wset: WorkbookSet, base: Path, server: Server) -> RunResult:
    """``nianbao run`` on a new shared folder under ``base`` holding ``wset``'s files."""
    run = run_cycle(
        wset,
        fresh_root(wset, base / "root"),
        warm_env(server, base / "client-home", base / "state"),
        base / "run.log",
    )
    if run.returncode != 0:
        raise SystemExit(f"nianbao run failed ({run.returncode}), see {run.log}")
    return run


def warm_up(args: argparse.Namespace, server: Server) -> None:
    """One run at N = 100 before anything is measured: the figures are a warm server's (as
    an office's, up for the whole season); a server's first flow run after it started costs
    it ~0.5 s more to answer (its own first requests). Printed, not in the table."""
    run = first_run(workbook_set(100, args.year, args.seed), RUNS / "warm-up", server)
    print(f"the server's first flow run (N = 100, not in the table): {run.seconds:.2f} s")


def table(rows: list[Row]) -> str:
    head = (
        "| N | (a) floor s | ms/wb | (b) naive s | ms/wb | (c) nianbao run s | ms/wb | c CPU s "
        "| c/a | b/c | peak RSS MB (flow / +workers) | task runs | cold run s | load |"
    )
    lines = [head, "|" + "---|" * 14]
    for r in rows:
        tilde = "~" if r.b_extrapolated else ""
        cold = f"{r.cold:.1f}" if r.cold is not None else "-"
        lines.append(
            f"| {r.n:,} | {r.a:.2f} | {r.a * 1000 / r.n:.2f} | {tilde}{r.b:.1f} "
            f"| {r.b * 1000 / r.n:.1f} | {r.c:.2f} | {r.c * 1000 / r.n:.2f} | {r.cpu:.1f} "
            f"| {r.c / r.a:.2f} "
            f"| {tilde}{r.b / r.c:.1f} | {r.rss:.0f} / {r.tree:.0f} | {r.tasks} | {cold} "
            f"| {r.load:.2f} |"
        )
    return "\n".join(lines)


def targets(rows: list[Row]) -> list[str]:
    out = []
    by_n = {r.n: r for r in rows}
    big = by_n.get(10_000)
    if big is not None:
        out.append(f"c <= 3 x a at 10,000: {big.c / big.a:.2f} x -> {_ok(big.c <= 3 * big.a)}")
        out.append(f"b / c >= 10 at 10,000: {big.b / big.c:.1f} -> {_ok(big.b >= 10 * big.c)}")
        out.append(f"peak RSS <= 1 GiB at 10,000: {big.tree:.0f} MB -> {_ok(big.tree <= 1024)}")
        if 1000 in by_n:
            ratio = big.c / by_n[1000].c
            out.append(f"c(10,000) <= 11 x c(1,000): {ratio:.1f} x -> {_ok(ratio <= 11)}")
    worst = max(r.tasks for r in rows)
    out.append(f"task runs per flow run <= 200: at most {worst} -> {_ok(worst <= 200)}")
    return out


def rerun_table(rows: list[Row], seed: list[Timed]) -> str:
    """Wall (CPU) seconds of the reruns per N, and the seed's runs."""
    out = ["| N | first run s (CPU) | nothing changed s (CPU) | one file changed s (CPU) |"]
    out.append("|---|---|---|---|")
    for r in rows:
        cells = " | ".join(f"{t.seconds:.2f} ({t.cpu:.1f})" for t in r.reruns)
        out.append(f"| {r.n:,} | {cells} |")
    out += ["", "| seed (4 units), embedded default | s | CPU s |", "|---|---|---|"]
    out += [f"| {t.what} | {t.seconds:.2f} | {t.cpu:.1f} |" for t in seed]
    return "\n".join(out)


def rerun_targets(rows: list[Row], seed: list[Timed]) -> list[str]:
    out = []
    for r in rows:
        if r.n == 10_000:
            _, same, one = r.reruns
            out.append(
                f"rerun at 10,000, one file changed <= 10 s: {one.seconds:.2f} -> "
                f"{_ok(one.seconds <= 10)}"
            )
            out.append(
                f"rerun at 10,000, nothing changed <= 5 s: {same.seconds:.2f} -> "
                f"{_ok(same.seconds <= 5)}"
            )
        if r.n == 100:
            out.append(f"N = 100, warm server <= 3 s: {r.c:.2f} -> {_ok(r.c <= 3)}")
    kept = next(t for t in seed if t.what.endswith("kept: second run"))
    out.append(
        f"seed second run, embedded default <= 4 s: {kept.seconds:.2f} -> {_ok(kept.seconds <= 4)}"
    )
    return out


def _ok(flag: bool) -> str:
    return "met" if flag else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", default="", help="comma-separated sizes measured besides 100 and 1,000"
    )
    parser.add_argument("--only", action="store_true", help="measure only the --n sizes")
    parser.add_argument("--year", type=int, default=2021, help="report year (its format)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--naive-limit", type=int, default=1000, help="files (b) really reads")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold embedded run")
    args = parser.parse_args()
    given = {int(s.replace("_", "")) for s in args.n.split(",") if s.strip()}
    sizes = sorted(given if args.only else given | {100, 1000})
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores; load average {load():.2f}; sizes {sizes}", flush=True)
    clear_runs(RUNS)  # earlier runs' outputs (10,000s of files) go before anything is timed
    for n in sizes:
        workbook_set(n, args.year, args.seed)
    server_dir = Path(tempfile.mkdtemp(prefix="server-", dir=CACHE.parent))
    rows = []
    try:
        start = time.perf_counter()
        with prefect_server(server_dir, postgres=False) as server:
            print(f"Prefect server on {server.url} in {time.perf_counter() - start:.1f} s")
            warm_up(args, server)
            rows = [measure(n, args, server) for n in sizes]
        seed = seed_figures(RUNS / "seed")
    finally:
        shutil.rmtree(server_dir, ignore_errors=True)
    print()
    print(table(rows))
    print(f"\n{cores} cores. (b) marked ~ is extrapolated linearly from {args.naive_limit} files.")
    print("peak RSS: the flow process (getrusage) / with its worker processes (sampled).")
    print()
    print(rerun_table(rows, seed))
    for line in targets(rows) + rerun_targets(rows, seed):
        print(line)


if __name__ == "__main__":
    main()
