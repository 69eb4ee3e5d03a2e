"""Reruns and small cycles (issue 16): what a rerun costs, and the fixed cost of a small run.

- ``rerun_figures``: on a shared folder whose inbox holds hard links to the generated set
  (ordinary files, so one can be replaced), a first ``nianbao run`` against the warm server,
  then a rerun with nothing changed, then a rerun after one unit sent a corrected workbook
  (other figures, so other bytes). Wall and CPU seconds of each.
- ``seed_figures``: the seed's demo (4 units) and then its second run on the embedded
  default (no PREFECT_API_URL, a fresh Prefect home): once with the local server
  ``nianbao run`` keeps for the next run, once with Prefect's temporary server per run
  (``NIANBAO_SERVER_IDLE_MINUTES=0``, as before).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.flow_run import RunResult, cold_env, run_cycle, warm_env
from benchmarks.workbooks import WorkbookSet
from benchmarks.xlsx_patch import Patcher
from nianbao.core.process import process_workbook
from nianbao.io.local_server import STATE
from nianbao.io.xlsx_read import read_workbook
from tests.e2e.prefect_server import Server

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Timed:
    what: str
    seconds: float
    cpu: float


def linked_root(wset: WorkbookSet, root: Path) -> Path:
    """A new shared folder whose inbox holds a hard link to each generated workbook."""
    root.mkdir(parents=True)
    for name in ("roster.csv", "nianbao.toml"):
        shutil.copy(wset.root / name, root / name)
    for path in wset.files:
        target = root / "inbox" / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)
    os.sync()
    return root


def correct_one(wset: WorkbookSet, root: Path) -> None:
    """The first unit sends a corrected workbook: the second unit's figures under its own
    code and name, replacing its file (a new inode: the generated set is left alone)."""
    unit, other = wset.roster[0], wset.roster[1]
    source = wset.files[1]
    raw = read_workbook(source, other.code, f"{other.code}/{source.name}")
    sub = process_workbook(raw, wset.spec, wset.year, {u.code: u for u in wset.roster[:2]})
    figures = {c: sub.values[c] for c in wset.spec.inputs}
    target = root / "inbox" / unit.code / wset.files[0].name
    fresh = target.with_name(".corrected.xlsx")  # hidden: ignored until renamed
    patcher = Patcher(wset.spec, wset.root / "prototype.xlsx", "proto-bench-unit", "基准原型单位")
    patcher.write(fresh, unit.code, unit.name, figures, time.time() - 3600)
    os.replace(fresh, target)


def _checked(run: RunResult, what: str) -> Timed:
    if run.returncode != 0:
        raise SystemExit(f"{what} failed ({run.returncode}), see {run.log}")
    return Timed(what, run.seconds, run.cpu)


def rerun_figures(wset: WorkbookSet, base: Path, server: Server) -> list[Timed]:
    """First run, nothing-changed rerun, one-file-changed rerun (warm server)."""
    root = linked_root(wset, base / "rerun-root")
    env = warm_env(server, base / "rerun-home", base / "rerun-state")
    out = []
    n = len(wset.roster)
    for what in ("first run", "nothing changed", "one file changed"):
        if what == "one file changed":
            correct_one(wset, root)
        timed = _checked(run_cycle(wset, root, env, base / f"rerun-{len(out)}.log"), what)
        print(f"N={n}: rerun: {what} {timed.seconds:.2f} s ({timed.cpu:.1f} CPU s)", flush=True)
        out.append(timed)
    return out


def _cli(args: list[str], env: dict[str, str], log: Path) -> Timed:
    with log.open("ab") as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", *args], env=env, stdout=out, stderr=out
        )
        _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"nianbao {' '.join(args)} failed, see {log}")
    return Timed(" ".join(args[:1]), time.perf_counter() - start, usage.ru_utime + usage.ru_stime)


def stop_local_server(home: Path) -> None:
    """Stop the local server a benchmark run started (its supervisor, by its pid)."""
    try:
        pid = int(json.loads((home / STATE).read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while (home / STATE).exists() and time.monotonic() < deadline:
        time.sleep(0.5)


def seed_figures(base: Path) -> list[Timed]:
    """The demo, then the seed cycle's second run, on the embedded default: with the local
    server kept between runs, and with a temporary server per run."""
    out = []
    for kept in (True, False):
        label = "local server kept" if kept else "temporary server per run"
        home, state = base / f"seed-home-{kept}", base / f"seed-state-{kept}"
        env = cold_env(home, state)
        env["NIANBAO_SERVER_IDLE_MINUTES"] = "10" if kept else "0"
        root = base / f"seed-root-{kept}"
        log = base / f"seed-{kept}.log"
        try:
            demo = _cli(["demo", "--root", str(root)], env, log)
            again = _cli(["run", "--year", "2020", "--root", str(root)], env, log)
        finally:
            stop_local_server(home)
        for what, timed in (("demo (two runs)", demo), ("second run", again)):
            print(f"seed, {label}: {what} {timed.seconds:.2f} s ({timed.cpu:.1f} CPU s)")
            out.append(Timed(f"{label}: {what}", timed.seconds, timed.cpu))
    return out
