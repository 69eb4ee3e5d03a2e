"""Benchmark (not a test): a three-level tree, one flow against the fan-out on process workers.

A province of C cities of K counties of U units each (defaults 10 × 10 × 100: 10,000 units),
the units' workbooks those of ``benchmarks/workbooks.py`` (cached; hard-linked into every
county's inbox, so nothing is copied). On one ``prefect server`` started here:
  (1) one flow: ``nianbao run`` on one shared folder holding all C·K·U units (today's path);
  (2) the fan-out with W = 1, then 2, local ``process`` workers (``--limit 1`` each, so W
      county runs at a time): every city's ``nianbao-fan-out`` over its counties (each
      county a run of ``nianbao-lower-cycle`` on the pool), then the province's over its
      cities; the fan-outs themselves run in one driver process, outside the workers.
Prints wall seconds, the flow runs and task runs the server recorded, and per lower-level
run: its run time, its wait from creation to start, and the extra cost per county against (1).

Usage: python -m benchmarks.levels [--cities 10] [--counties 10] [--units 100] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from statistics import mean
from typing import Any

from benchmarks.flow_run import _children, clear_runs, fresh_root, run_cycle, warm_env
from benchmarks.workbooks import CACHE, WorkbookSet, file_name, workbook_set
from nianbao.core.model import Unit
from nianbao.core.roster import roster_csv
from nianbao.io.levels import LOWER
from tests.conftest import REPO
from tests.e2e.prefect_server import Proc, Server, prefect_server, start, wait_for

RUNS = CACHE.parent / "levels"
LOWER_DEPLOYMENT = "nianbao-lower-cycle"
QUERY_SECONDS = "2"  # workers poll every 2 s here (Prefect's default is 10 s)


@dataclass(frozen=True)
class Tree:
    province: Path
    cities: list[Path]
    counties: int


def build_tree(wset: WorkbookSet, base: Path, cities: int, counties: int, units: int) -> Tree:
    """Province → cities → counties → units as shared folders; every county's inbox holds
    hard links to its units' cached workbooks."""
    config = (wset.root / "nianbao.toml").read_text(encoding="utf-8")
    city_units = tuple(Unit(f"city{c:02d}", f"第{c + 1}市", "government") for c in range(cities))
    province = _root(base / "province", city_units, config)
    city_roots = []
    for c, city in enumerate(city_units):
        county_units = tuple(
            Unit(f"county{c * counties + k:03d}", f"第{c * counties + k + 1}县", "government")
            for k in range(counties)
        )
        city_root = _root(province / LOWER / city.code, county_units, config)
        city_roots.append(city_root)
        for k, county in enumerate(county_units):
            first = (c * counties + k) * units
            mine = wset.roster[first : first + units]
            root = _root(city_root / LOWER / county.code, mine, config)
            for unit in mine:
                folder = root / "inbox" / unit.code
                folder.mkdir()
                name = file_name(unit, wset.year)
                os.link(wset.root / "inbox" / unit.code / name, folder / name)
    return Tree(province, city_roots, cities * counties)


def _root(path: Path, roster: tuple[Unit, ...], config: str) -> Path:
    (path / "inbox").mkdir(parents=True)
    (path / "roster.csv").write_text(roster_csv(roster), encoding="utf-8")
    (path / "nianbao.toml").write_text(config, encoding="utf-8")
    return path


def counts(server: Server) -> tuple[int, int]:
    """(flow runs, task runs) the server holds, once the task-run count stops changing."""
    with server.client() as client:
        last, stable = -1, 0
        while stable < 3:
            tasks = int(client.post("/task_runs/count", json={}).json())
            stable = stable + 1 if tasks == last else 0
            last = tasks
            time.sleep(1)
        return int(client.post("/flow_runs/count", json={}).json()), last


def lower_runs(server: Server) -> list[dict[str, Any]]:
    """Every run of the lower-level deployment."""
    with server.client() as client:
        dep = client.get(f"/deployments/name/nianbao-annual-cycle/{LOWER_DEPLOYMENT}").json()
        body = {
            "deployments": {"id": {"any_": [dep["id"]]}},
            "sort": "EXPECTED_START_TIME_ASC",
            "limit": 200,
        }
        runs: list[dict[str, Any]] = []
        while True:
            page = client.post("/flow_runs/filter", json={**body, "offset": len(runs)}).json()
            runs += page
            if len(page) < 200:
                return runs


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its descendants, including those already reaped."""
    ticks, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        except OSError:
            pass
        todo += _children(p)
    return ticks / os.sysconf("SC_CLK_TCK")


def _seconds(a: str, b: str) -> float:
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()


def _prefect(server: Server, home: Path, *args: str) -> None:
    argv = [str(Path(sys.executable).with_name("prefect")), *args]
    env = server.client_env(home)
    subprocess.run(argv, cwd=REPO, env=env, check=True, capture_output=True, timeout=300)


def start_workers(server: Server, n: int, base: Path) -> list[Proc]:
    procs = []
    for i in range(n):
        env = server.client_env(base / f"worker{i}-home")
        env.update(
            PREFECT_WORKER_QUERY_SECONDS=QUERY_SECONDS,
            NIANBAO_STATE_DIR=str(base / f"worker{i}-state"),
            PREFECT_LOGGING_LEVEL="INFO",
        )
        argv = [str(Path(sys.executable).with_name("prefect")), "worker", "start"]
        argv += ["--pool", "nianbao", "--limit", "1", "--name", f"bench-{n}-{i}"]
        procs.append(start(f"worker{n}-{i}", argv, env, base / "logs"))

    def online() -> bool:
        with server.client() as client:
            found = client.post("/work_pools/nianbao/workers/filter", json={}).json()
            return len([w for w in found if w["name"].startswith(f"bench-{n}-")]) == n

    wait_for(online, 120, f"{n} workers")
    return procs


def fan_out_tree(server: Server, tree: Tree, year: int, base: Path, workers: int) -> dict[str, Any]:
    """Every city's fan-out, then the province's, in one driver process; wall seconds."""
    env = warm_env(server, base / f"driver{workers}-home", base / f"driver{workers}-state")
    roots = [str(p) for p in [*tree.cities, tree.province]]
    argv = [sys.executable, "-m", "benchmarks.levels", "--drive", str(year), *roots]
    log = base / "logs" / f"driver{workers}.log"
    with log.open("wb") as out:
        t0, cpu0 = time.perf_counter(), _children_cpu()
        proc = subprocess.run(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    result = json.loads(next(x for x in reversed(lines) if x.startswith("{")))
    return {"wall": wall, "driver_cpu": cpu, "returncode": proc.returncode, **result}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def drive(year: int, roots: list[str]) -> None:
    """(driver process) run the fan-outs one after the other; print their states as JSON."""
    from flows.fanout import fan_out
    from flows.params import FanOutParams

    states = []
    for root in roots:
        state = fan_out(FanOutParams(year=year, root=root), return_state=True)
        states.append(state.type.value)
    print(json.dumps({"states": states}))


def per_run(server: Server, since: int) -> dict[str, float]:
    runs = lower_runs(server)[since:]
    done = [r for r in runs if r["start_time"] and r["end_time"]]
    return {
        "lower_runs": len(runs),
        "run_s": mean(_seconds(r["start_time"], r["end_time"]) for r in done),
        "wait_s": mean(_seconds(r["expected_start_time"], r["start_time"]) for r in done),
    }


def _timeline(server: Server, out: Path) -> None:
    """Every flow run's state history (created → scheduled → pending → running → done)."""
    with server.client() as client:
        runs = client.post("/flow_runs/filter", json={"limit": 200}).json()
        doc = []
        for r in runs:
            states = client.get("/flow_run_states/", params={"flow_run_id": r["id"]}).json()
            doc.append(
                {
                    "name": r["name"],
                    "created": r["created"],
                    "states": [(s["type"], s["name"], s["timestamp"]) for s in states],
                }
            )
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")


@dataclass
class Row:
    path: str
    wall: float
    cpu: float  # flow processes, workers and their runs, and the Prefect server
    server_cpu: float
    flows: int
    tasks: int
    lower: dict[str, float] | None
    load: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=10)
    parser.add_argument("--counties", type=int, default=10, help="per city")
    parser.add_argument("--units", type=int, default=100, help="per county")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--drive", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(int(args.drive[0]), args.drive[1:])
        return
    n = args.cities * args.counties * args.units
    counties = args.cities * args.counties
    print(
        f"tree: 1 province, {args.cities} cities, {counties} counties, {n} units; "
        f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    clear_runs(RUNS)
    wset = workbook_set(n, args.year, args.seed)
    base = Path(tempfile.mkdtemp(prefix="levels-", dir=CACHE.parent))
    rows = []
    try:
        with prefect_server(base / "server") as server:
            home = base / "deploy-home"
            _prefect(server, home, "work-pool", "create", "nianbao", "--type", "process")
            deploy = ["--prefect-file", "deployments/prefect.yaml", "--all"]
            _prefect(server, home, "--no-prompt", "deploy", *deploy)
            rows.append(one_flow(server, wset, base))
            print(f"one flow: {rows[-1].wall:.1f} s", flush=True)
            seen = 0
            for w in [int(x) for x in args.workers.split(",")]:
                tree = build_tree(wset, RUNS / f"fan{w}", args.cities, args.counties, args.units)
                rows.append(fanned(server, tree, args.year, base, w, seen))
                seen += int((rows[-1].lower or {})["lower_runs"])
                print(f"fan-out {w}: {rows[-1].wall:.1f} s", flush=True)
    finally:
        shutil.rmtree(base / "server", ignore_errors=True)
    report(rows, counties)


def one_flow(server: Server, wset: WorkbookSet, base: Path) -> Row:
    before, server0 = counts(server), tree_cpu(server.proc.popen.pid)
    env = warm_env(server, base / "run-home", base / "run-state")
    one = run_cycle(wset, fresh_root(wset, RUNS / "one"), env, base / "one.log")
    if one.returncode != 0:
        raise SystemExit(f"nianbao run failed: see {one.log}")
    after, server1 = counts(server), tree_cpu(server.proc.popen.pid)
    return Row(
        "one flow, one machine",
        one.seconds,
        one.cpu + server1 - server0,
        server1 - server0,
        after[0] - before[0],
        after[1] - before[1],
        None,
        os.getloadavg()[0],
    )


def fanned(server: Server, tree: Tree, year: int, base: Path, w: int, seen: int) -> Row:
    procs = start_workers(server, w, base)
    try:
        before, server0 = counts(server), tree_cpu(server.proc.popen.pid)
        workers0 = sum(tree_cpu(p.popen.pid) for p in procs)
        got = fan_out_tree(server, tree, year, base, w)
        after, server1 = counts(server), tree_cpu(server.proc.popen.pid)
        workers1 = sum(tree_cpu(p.popen.pid) for p in procs)
    finally:
        for p in procs:
            p.stop(timeout=20)
    if got["returncode"] != 0 or set(got["states"]) != {"COMPLETED"}:
        raise SystemExit(f"fan-out failed: {got}; see {base / 'logs'}")
    _timeline(server, base / f"timeline{w}.json")
    stats = per_run(server, seen)
    stats["cpu_s"] = (workers1 - workers0) / stats["lower_runs"]
    return Row(
        f"fan-out, {w} process worker{'s' if w > 1 else ''}",
        got["wall"],
        got["driver_cpu"] + workers1 - workers0 + server1 - server0,
        server1 - server0,
        after[0] - before[0],
        after[1] - before[1],
        stats,
        os.getloadavg()[0],
    )


def report(rows: list[Row], counties: int) -> None:
    one = rows[0]
    print()
    print(
        "| path | wall s | CPU s (all) | server CPU s | flow runs | task runs | "
        "lower-level runs | per run: run s / wait s / CPU s | extra per county: wall s / CPU s "
        "| load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        head = (
            f"| {r.path} | {r.wall:.1f} | {r.cpu:.1f} | {r.server_cpu:.1f} | {r.flows} | {r.tasks}"
        )
        if r.lower is None:
            print(f"{head} | – | – | – | {r.load:.2f} |")
            continue
        s = r.lower
        extra = f"{(r.wall - one.wall) / counties:.2f} / {(r.cpu - one.cpu) / counties:.2f}"
        runs = f"{s['run_s']:.1f} / {s['wait_s']:.1f} / {s['cpu_s']:.1f}"
        print(f"{head} | {s['lower_runs']:.0f} | {runs} | {extra} | {r.load:.2f} |")


if __name__ == "__main__":
    main()
